package io.sluice.cli;

import io.sluice.config.ConfigFormat;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sluice run -c FILE}: runs the proxy until SIGTERM/SIGINT, then drains and exits 0. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the proxy from a config file. SIGTERM or Ctrl-C stops accepting, lets requests in "
                + "flight finish (limits.drain_timeout) and exits 0. SIGHUP, a change of the file or of its "
                + "certificates (unless --no-watch), POST /api/reload and 'sluice reload' reload it in process: a "
                + "file with errors changes nothing and its errors are logged. A bad file at start exits 2 before "
                + "listening.")
final class RunCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE", required = true,
            description = "Configuration file (YAML; TOML if named .toml).")
    Path config;

    @Mixin
    TransportOption transport;

    @Option(names = "--no-watch", description = "Do not reload when the file or its certificates change.")
    boolean noWatch;

    @Option(names = "--format", paramLabel = "FORMAT", converter = FormatConverter.class,
            description = FormatConverter.HELP)
    ConfigFormat format;

    @Override
    public Integer call() throws Exception {
        return Runner.runFile(config, format, !noWatch);
    }
}
