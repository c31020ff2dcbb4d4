package io.sluice.cli;

import io.sluice.config.Config;
import io.sluice.config.ConfigException;
import io.sluice.config.ConfigFormat;
import io.sluice.config.ConfigLoader;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice validate -c FILE}: prints OK or every error with its line; exits 0 or 2. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check a config file: prints OK, or every error with its YAML path and line:column (exit 2).")
final class ValidateCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE", required = true,
            description = "Configuration file (YAML; TOML if named .toml).")
    Path config;

    @Option(names = "--format", paramLabel = "FORMAT", converter = FormatConverter.class,
            description = FormatConverter.HELP)
    ConfigFormat format;

    @Override
    public Integer call() {
        try {
            Config c = ConfigLoader.load(config, format == null ? ConfigFormat.of(config) : format);
            System.out.println("OK: " + c.listeners().size() + " listener(s), " + c.pools().size() + " pool(s)");
            return 0;
        } catch (ConfigException e) {
            Runner.printErrors(config, e);
            return 2;
        }
    }
}
