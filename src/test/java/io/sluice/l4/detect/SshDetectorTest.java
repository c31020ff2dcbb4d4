package io.sluice.l4.detect;

import static io.sluice.l4.detect.Feed.ascii;
import static io.sluice.l4.detect.Feed.concat;
import static io.sluice.l4.detect.Feed.detect;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.l4.Detection;
import org.junit.jupiter.api.Test;

/** The ssh detector on clients' real identification strings, and on lines that are not one. */
class SshDetectorTest {
    private final SshDetector ssh = new SshDetector();

    @Test
    void openSshsBannerMatchesAtItsLineEnd() {
        byte[] banner = ascii("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n");
        byte[] kexInit = {0, 0, 5, (byte) 0xdc, 4, 20};

        assertThat(Feed.byteByByte(ssh, banner)).isEqualTo(Detection.MATCH);
        assertThat(detect(ssh, concat(banner, kexInit))).isEqualTo(Detection.MATCH);
    }

    @Test
    void otherClientsBannersMatch() {
        for (String line : new String[] {"SSH-2.0-PuTTY_Release_0.81\r\n", "SSH-2.0-Go\r\n", "SSH-2.0-JSCH-0.1.54\r\n",
                "SSH-2.0-paramiko_3.4.0\r\n", "SSH-1.99-OpenSSH_3.9p1\r\n"}) {
            assertThat(detect(ssh, ascii(line))).as(line).isEqualTo(Detection.MATCH);
        }
    }

    @Test
    void otherVersionsAndBrokenLinesAreNoMatch() {
        assertThat(Feed.decidedAfter(ssh, ascii("SSH-1.5-Old\r\n"))).isEqualTo(7);
        for (String line : new String[] {"SSH-2.0-\r\n", "SSH-2.0- x\r\n", "SSH-2.0-x\n", "SSH-2.0-x\rx",
                "SSH-2.0-a\tb\r\n", "ssh-2.0-x\r\n", "SSH-2.0x\r\n", "GET / HTTP/1.1\r\n"}) {
            assertThat(detect(ssh, ascii(line))).as(line).isEqualTo(Detection.NO_MATCH);
        }
    }

    @Test
    void theLineMayBe255CharactersAndNoMore() {
        String longest = "SSH-2.0-" + "x".repeat(255 - 10) + "\r\n";
        String tooLong = "SSH-2.0-" + "x".repeat(255 - 9) + "\r\n";

        assertThat(detect(ssh, ascii(longest))).isEqualTo(Detection.MATCH);
        assertThat(detect(ssh, ascii(tooLong))).isEqualTo(Detection.NO_MATCH);
        assertThat(detect(ssh, ascii("SSH-2.0-" + "x".repeat(1000)))).isEqualTo(Detection.NO_MATCH);
    }
}
