package io.sluice.cli;

import io.sluice.config.ConfigFormat;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice run -c FILE}: runs the proxy until SIGTERM/SIGINT, then drains and exits 0. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the proxy from a config file. SIGTERM or Ctrl-C stops accepting, lets requests in "
                + "flight finish (limits.drain_timeout) and exits 0. SIGHUP is logged and ignored: reload is not "
                + "available yet, the process keeps serving the file it started with. A bad file exits 2 before "
                + "listening.")
final class RunCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE", required = true,
            description = "Configuration file (YAML; TOML if named .toml).")
    Path config;

    @Option(names = "--format", paramLabel = "FORMAT", converter = FormatConverter.class,
            description = FormatConverter.HELP)
    ConfigFormat format;

    @Override
    public Integer call() throws Exception {
        return Runner.runFile(config, format);
    }
}
