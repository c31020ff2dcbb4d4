package io.sluice.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.config.ConfigFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The watch behind reload-on-save: content changes in any watched file, in any directory, call the action. */
class FileWatcherTest {

    @Test
    void aChangeOfAnyWatchedFileCallsTheActionOnceItIsQuiet(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("sluice.yaml");
        Path certs = Files.createDirectories(dir.resolve("certs"));
        Path cert = certs.resolve("site.pem");
        Files.writeString(config, "a");
        Files.writeString(cert, "one");
        AtomicInteger calls = new AtomicInteger();
        try (FileWatcher w = new FileWatcher(() -> List.of(config, cert), calls::incrementAndGet,
                Duration.ofMillis(100)).start()) {
            // a renewal replaces the certificate in its own directory
            Path next = certs.resolve("site.pem.new");
            Files.writeString(next, "two");
            Files.move(next, cert, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            await().atMost(Duration.ofSeconds(20)).until(() -> calls.get() == 1);
            // several quick writes of the config file: one call once they stop
            for (int i = 0; i < 5; i++) {
                Files.writeString(config, "b" + i);
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> calls.get() >= 2);
            // the same bytes written again, then a real change: only the change counts
            int before = calls.get();
            Files.writeString(config, "b4");
            Files.writeString(cert, "three");
            await().atMost(Duration.ofSeconds(20)).until(() -> calls.get() == before + 1);
        }
    }

    @Test
    void theDigestSeesContentNotTimes(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("x");
        Files.writeString(f, "same");
        String first = ConfigFile.digest(List.of(f));
        Files.writeString(f, "same");
        assertThat(ConfigFile.digest(List.of(f))).isEqualTo(first);
        Files.writeString(f, "other");
        assertThat(ConfigFile.digest(List.of(f))).isNotEqualTo(first);
        assertThat(ConfigFile.digest(List.of(dir.resolve("missing")))).isNotEqualTo(first);
    }
}
