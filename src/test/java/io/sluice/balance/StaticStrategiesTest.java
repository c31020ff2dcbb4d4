package io.sluice.balance;

import static io.sluice.balance.Fixtures.backends;
import static io.sluice.balance.Fixtures.count;
import static io.sluice.balance.Fixtures.ctx;
import static io.sluice.balance.Fixtures.equal;
import static io.sluice.balance.Fixtures.index;
import static io.sluice.balance.Fixtures.picker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Distribution and weights of the strategies that do not look at latency, on fake backends, seeded. */
class StaticStrategiesTest {
    private static final int PICKS = 10_000;

    @Test
    void smoothWeightedRoundRobinInterleavesExactlyAsNginxDoes() {
        Picker p = picker("weighted_round_robin", backends(5, 1, 1));
        PickContext ctx = ctx(1);
        StringBuilder seq = new StringBuilder();
        for (int i = 0; i < 21; i++) {
            seq.append((char) ('a' + index(Selection.select(p, ctx.reset(null, null, 0), null))));
        }
        assertThat(seq.toString()).isEqualTo("aabacaa".repeat(3));
    }

    @Test
    void roundRobinGoesInTurnIgnoringWeights() {
        int[] c = count(picker("round_robin", backends(3, 1, 1)), ctx(1), 9_000, 3);
        assertThat(c).containsExactly(3000, 3000, 3000);
    }

    /** Share of the weight-3 backend against a weight-1 one: 75%, within 5% of that (71.25% to 78.75%). */
    @ParameterizedTest
    @ValueSource(strings = {"weighted_round_robin", "random", "power_of_two", "least_connections"})
    void weightsThreeToOneHoldWithinFivePercent(String strategy) {
        int[] c = count(picker(strategy, backends(3, 1)), ctx(42), PICKS, 2);
        assertThat((double) c[0] / PICKS).as(strategy).isCloseTo(0.75, within(0.75 * 0.05));
    }

    @Test
    void leastConnectionsHonoursWeightsUnderLoad() {
        // Weight 3 carries 3 in flight, weight 1 carries 1: equal per unit of weight, so a tie, which goes
        // 3:1 by weight (75% within 5% of it).
        List<Backend> bs = backends(3, 1);
        for (int i = 0; i < 3; i++) {
            bs.get(0).state().requestStarted();
        }
        bs.get(1).state().requestStarted();
        int[] tie = count(picker("least_connections", bs), ctx(3), PICKS, 2);
        assertThat((double) tie[0] / PICKS).isCloseTo(0.75, within(0.75 * 0.05));
        // One more on the heavy one tips it: every pick goes to the light one.
        bs.get(0).state().requestStarted();
        int[] tipped = count(picker("least_connections", bs), ctx(3), 1000, 2);
        assertThat(tipped).containsExactly(0, 1000);
    }

    /** Uniform strategies on four equal idle backends: each within 2.5 points of 25%. */
    @ParameterizedTest
    @ValueSource(strings = {"random", "power_of_two", "least_connections", "weighted_round_robin"})
    void equalBackendsShareEvenly(String strategy) {
        int[] c = count(picker(strategy, equal(4)), ctx(7), PICKS, 4);
        for (int v : c) {
            assertThat((double) v / PICKS).as(strategy + " " + java.util.Arrays.toString(c)).isCloseTo(0.25, within(0.025));
        }
    }

    /** A drained backend's share spreads over the other three (each 1/3 ± 3 points), not onto one neighbour. */
    @ParameterizedTest
    @ValueSource(strings = {"round_robin", "weighted_round_robin", "random", "power_of_two", "least_connections"})
    void aDrainedBackendsShareSpreadsOverTheRest(String strategy) {
        List<Backend> bs = equal(4);
        bs.get(1).state().setHealthBit(BackendState.ADMIN_DRAINED, true);
        int[] c = count(picker(strategy, bs), ctx(8), PICKS, 4);
        assertThat(c[1]).isZero();
        for (int i : new int[] {0, 2, 3}) {
            assertThat((double) c[i] / PICKS).as(strategy + " " + java.util.Arrays.toString(c)).isCloseTo(1.0 / 3, within(0.03));
        }
    }

    @Test
    void ipHashSpreadsTheClientsOfADrainedBackendAndKeepsEachOnOne() {
        List<Backend> bs = equal(4);
        Picker p = picker("ip_hash", bs);
        PickContext ctx = ctx(9);
        java.util.Map<Integer, Backend> before = new java.util.HashMap<>();
        for (int client = 0; client < 4000; client++) {
            before.put(client, Selection.select(p, ctx.reset(Fixtures.client(client), null, 0), null));
        }
        bs.get(1).state().setHealthBit(BackendState.ADMIN_DRAINED, true);
        int[] movedTo = new int[4];
        for (int client = 0; client < 4000; client++) {
            Backend now = Selection.select(p, ctx.reset(Fixtures.client(client), null, 0), null);
            assertThat(Selection.select(p, ctx.reset(Fixtures.client(client), null, 0), null)).isSameAs(now);
            if (before.get(client) == bs.get(1)) {
                movedTo[index(now)]++;
            } else {
                assertThat(now).as("clients of other backends stay").isSameAs(before.get(client));
            }
        }
        int moved = movedTo[0] + movedTo[2] + movedTo[3];
        for (int i : new int[] {0, 2, 3}) {
            assertThat((double) movedTo[i] / moved).as(java.util.Arrays.toString(movedTo)).isCloseTo(1.0 / 3, within(0.08));
        }
    }

    @Test
    void powerOfTwoAvoidsTheBusyBackend() {
        List<Backend> bs = equal(3);
        for (int i = 0; i < 10; i++) {
            bs.get(0).state().requestStarted();
        }
        int[] c = count(picker("power_of_two", bs), ctx(5), PICKS, 3);
        // It loses every draw it is in against an idle one; it can only win when drawn twice, which never
        // happens (the second draw is distinct).
        assertThat(c[0]).isZero();
        assertThat((double) c[1] / PICKS).isCloseTo(0.5, within(0.03));
    }

    @Test
    void ipHashKeepsEachClientOnOneBackendAndSpreadsClients() {
        List<Backend> bs = equal(4);
        Picker p = picker("ip_hash", bs);
        PickContext ctx = ctx(9);
        int[] perBackend = new int[4];
        for (int client = 0; client < 2_000; client++) {
            Backend first = Selection.select(p, ctx.reset(Fixtures.client(client), null, 0), null);
            for (int again = 0; again < 5; again++) {
                // Same IP, another source port: same backend.
                java.net.InetSocketAddress other = new java.net.InetSocketAddress(
                        Fixtures.client(client).getAddress(), 50000 + again);
                assertThat(Selection.select(p, ctx.reset(other, null, 0), null)).isSameAs(first);
            }
            perBackend[index(first)]++;
        }
        for (int v : perBackend) {
            assertThat(v / 2000.0).isCloseTo(0.25, within(0.04));
        }
    }

    @Test
    void ipHashHonoursWeightsOverManyClients() {
        Picker p = picker("ip_hash", backends(3, 1));
        PickContext ctx = ctx(1);
        int heavy = 0;
        for (int client = 0; client < PICKS; client++) {
            if (index(Selection.select(p, ctx.reset(Fixtures.client(client), null, 0), null)) == 0) {
                heavy++;
            }
        }
        assertThat((double) heavy / PICKS).isCloseTo(0.75, within(0.75 * 0.05));
    }

    @ParameterizedTest
    @ValueSource(strings = {"round_robin", "weighted_round_robin", "least_connections", "random", "power_of_two",
            "ip_hash", "consistent_hash", "least_ewma", "dynamic_score", "fastest_response", "adaptive"})
    void candidatesCoverEveryBackendOnceAndSelectionSkipsTheUnavailable(String strategy) {
        for (int n : new int[] {1, 2, 5, 40}) {
            List<Backend> bs = backends(java.util.stream.IntStream.range(0, n).map(i -> 1 + i % 3).toArray());
            Picker p = picker(strategy, bs);
            PickContext ctx = ctx(n);
            for (int round = 0; round < 20; round++) {
                ctx.reset(Fixtures.client(round), Fixtures.get("/x?u=" + round), round);
                List<Backend> seen = new ArrayList<>();
                for (int attempt = 0; attempt < n; attempt++) {
                    Backend b = p.candidate(ctx, attempt);
                    assertThat(b).as("%s attempt %d of %d", strategy, attempt, n).isNotNull();
                    seen.add(b);
                }
                assertThat(p.candidate(ctx, n)).as(strategy).isNull();
                assertThat(seen).as(strategy).containsExactlyInAnyOrderElementsOf(bs);
            }
            // The first choice is unavailable: Selection moves on to another, and never returns it.
            Backend first = p.candidate(ctx.reset(Fixtures.client(1), Fixtures.get("/"), 0), 0);
            first.state().setHealthBit(BackendState.ADMIN_DRAINED, true);
            for (int i = 0; i < 200; i++) {
                Backend b = Selection.select(p, ctx.reset(Fixtures.client(1), Fixtures.get("/"), 0), null);
                if (n == 1) {
                    assertThat(b).isNull();
                } else {
                    assertThat(b).isNotNull().isNotSameAs(first);
                }
            }
        }
    }
}
