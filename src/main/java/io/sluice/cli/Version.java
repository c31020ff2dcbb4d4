package io.sluice.cli;

import picocli.CommandLine;

/** Supplies {@code sluice --version} from the jar manifest. Stateless; thread-safe. */
public final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Version.class.getPackage().getImplementationVersion();
        return new String[] {"sluice " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
    }
}
