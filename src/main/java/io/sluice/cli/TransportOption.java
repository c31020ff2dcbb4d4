package io.sluice.cli;

import io.sluice.runtime.Transport;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code --transport auto|io_uring|epoll|nio}, for every command that opens sockets. It sets {@code
 * sluice.transport} before anything opens one, so it wins over a config file's {@code transport:} (which must then
 * agree or be {@code auto}). A name this machine cannot run is a usage error (exit 2). Not thread-safe; picocli
 * fills it once.
 */
final class TransportOption {
    static final String HELP = "Socket transport: auto (default: io_uring when the kernel allows it, then epoll,"
            + " then nio), io_uring, epoll or nio. Also $SLUICE_TRANSPORT or the config's `transport:`.";

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--transport", paramLabel = "NAME", description = HELP)
    void transport(String name) {
        try {
            Transport.resolve(name);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        System.setProperty("sluice.transport", name);
    }
}
