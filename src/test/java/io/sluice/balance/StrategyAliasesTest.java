package io.sluice.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The names other load balancers use for the built-in strategies, and the CamelCase form status pages show. */
class StrategyAliasesTest {

    @Test
    void camelCaseAndOtherSpellingsOfACanonicalNameAreThatName() {
        assertThat(Strategies.canonical("RoundRobin")).isEqualTo("round_robin");
        assertThat(Strategies.canonical("roundrobin")).isEqualTo("round_robin");
        assertThat(Strategies.canonical("WeightedRoundRobin")).isEqualTo("weighted_round_robin");
        assertThat(Strategies.canonical("LeastConnections")).isEqualTo("least_connections");
        assertThat(Strategies.canonical("LEAST_CONNECTIONS")).isEqualTo("least_connections");
        assertThat(Strategies.canonical("least-connections")).isEqualTo("least_connections");
        assertThat(Strategies.canonical("IpHash")).isEqualTo("ip_hash");
        assertThat(Strategies.canonical("Random")).isEqualTo("random");
        assertThat(Strategies.canonical("LeastEwma")).isEqualTo("least_ewma");
        assertThat(Strategies.canonical("PowerOfTwo")).isEqualTo("power_of_two");
        assertThat(Strategies.canonical("ConsistentHash")).isEqualTo("consistent_hash");
        assertThat(Strategies.canonical("DynamicScore")).isEqualTo("dynamic_score");
        assertThat(Strategies.canonical("FastestResponse")).isEqualTo("fastest_response");
        assertThat(Strategies.canonical("Adaptive")).isEqualTo("adaptive");
    }

    @Test
    void shortNamesOfOtherToolsAreAccepted() {
        assertThat(Strategies.canonical("Weighted")).isEqualTo("weighted_round_robin");
        assertThat(Strategies.canonical("wrr")).isEqualTo("weighted_round_robin");
        assertThat(Strategies.canonical("rr")).isEqualTo("round_robin");
        assertThat(Strategies.canonical("leastconn")).isEqualTo("least_connections");
        assertThat(Strategies.canonical("least_conn")).isEqualTo("least_connections");
        assertThat(Strategies.canonical("p2c")).isEqualTo("power_of_two");
        assertThat(Strategies.canonical("source")).isEqualTo("ip_hash");
        assertThat(Strategies.canonical("ring_hash")).isEqualTo("consistent_hash");
        assertThat(Strategies.canonical("ewma")).isEqualTo("least_ewma");
        assertThat(Strategies.canonical("fastest")).as("not a name any tool uses").isNull();
    }

    @Test
    void canonicalNamesAreThemselvesAndUnknownNamesAreNull() {
        for (String name : Strategies.names()) {
            assertThat(Strategies.canonical(name)).isEqualTo(name);
        }
        assertThat(Strategies.canonical("weighted_least")).isNull();
        assertThat(Strategies.canonical("")).isNull();
        assertThat(Strategies.canonical(null)).isNull();
        assertThat(Strategies.isKnown("IpHash")).isTrue();
        assertThat(Strategies.isKnown("IpHashes")).isFalse();
    }

    @Test
    void createTakesAnyAcceptedFormAndTheStrategyNamesItselfCanonically() {
        assertThat(Strategies.create("Weighted").name()).isEqualTo("weighted_round_robin");
        assertThat(Strategies.create("LeastConnections").name()).isEqualTo("least_connections");
        assertThatThrownBy(() -> Strategies.create("Fairest")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown strategy \"Fairest\"; known: adaptive, consistent_hash");
    }

    @Test
    void camelCaseIsTheFormOtherToolsShow() {
        assertThat(Strategies.camelCase("round_robin")).isEqualTo("RoundRobin");
        assertThat(Strategies.camelCase("weighted_round_robin")).isEqualTo("WeightedRoundRobin");
        assertThat(Strategies.camelCase("least_connections")).isEqualTo("LeastConnections");
        assertThat(Strategies.camelCase("ip_hash")).isEqualTo("IpHash");
        assertThat(Strategies.camelCase("random")).isEqualTo("Random");
        assertThat(Strategies.camelCase("my-strategy")).isEqualTo("MyStrategy");
    }
}
