package io.sluice.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The TURN admin calls' answers that need no running listener: addresses as written, unknown names and ids. */
class TurnApiTest {
    private final TurnApi api = new TurnApi(new ObjectMapper());

    @Test
    void addressesLoseTheEmptyHostNameBeforeTheSlash() {
        assertThat(TurnApi.plain("/192.0.2.1:50000")).isEqualTo("192.0.2.1:50000");
        assertThat(TurnApi.plain("udp//192.0.2.1:50000")).isEqualTo("udp/192.0.2.1:50000");
        assertThat(TurnApi.plain("udp/192.0.2.1:50000")).isEqualTo("udp/192.0.2.1:50000");
        assertThat(TurnApi.plain("tcp//[2001:db8:0:0:0:0:0:1]:3478")).isEqualTo("tcp/[2001:db8:0:0:0:0:0:1]:3478");
        assertThat(TurnApi.plain("")).isEmpty();
    }

    @Test
    void unknownListenersAndMalformedPathsAreNotFound() {
        assertThat(api.list(List.of(), null).status()).isEqualTo(200);
        assertThat(api.list(List.of(), null).body().get("allocations")).isEmpty();
        assertThat(api.list(List.of(), "relay").status()).isEqualTo(404);
        assertThat(api.delete(List.of(), "relay/1").status()).isEqualTo(404);
        assertThat(api.delete(List.of(), "relay/1").body().get("error").asText())
                .isEqualTo("no turn listener named \"relay\"");
        assertThat(api.delete(List.of(), "relay").status()).isEqualTo(404);
        assertThat(api.delete(List.of(), "relay/").status()).isEqualTo(404);
        assertThat(api.delete(List.of(), "/1").body().get("error").asText())
                .isEqualTo("use DELETE /api/turn/allocations/{listener}/{id}");
    }
}
