package io.vigil.server.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.server.fleet.ShardAssignor.Member;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The shard plan: capacity is never exceeded, shards stick, moves are two-step, new nodes get a fair share. */
class ShardAssignorTest {
    private static int load(List<Integer> shards, int[] weights) {
        return shards.stream().mapToInt(p -> weights[p]).sum();
    }

    @Test
    void noNodeGetsMoreStreamsThanItsCapacity() {
        int[] weights = {3, 3, 2, 2, 1, 1, 0, 0};   // 12 streams
        Map<String, List<Integer>> plan = ShardAssignor.plan(List.of(
                new Member("m1", "small", 2, Set.of()),
                new Member("m2", "large", 20, Set.of())), weights);
        assertThat(load(plan.get("m1"), weights)).isLessThanOrEqualTo(2);
        assertThat(load(plan.get("m1"), weights) + load(plan.get("m2"), weights)).isEqualTo(12);
        // Every shard is placed somewhere.
        Set<Integer> all = new HashSet<>(plan.get("m1"));
        all.addAll(plan.get("m2"));
        assertThat(all).hasSize(8);
    }

    @Test
    void aShardThatFitsNowhereStaysUnassigned() {
        int[] weights = {5, 1};
        Map<String, List<Integer>> plan = ShardAssignor.plan(List.of(
                new Member("m1", "a", 2, Set.of()), new Member("m2", "b", 2, Set.of())), weights);
        assertThat(plan.get("m1")).doesNotContain(0);
        assertThat(plan.get("m2")).doesNotContain(0);
        assertThat(plan.values().stream().flatMap(List::stream)).containsExactly(1);
    }

    @Test
    void aLiveOwnerKeepsItsShardsWhenNothingChanged() {
        int[] weights = {1, 1, 1, 1, 0, 0};
        Map<String, List<Integer>> first = ShardAssignor.plan(List.of(
                new Member("m1", "a", 10, Set.of()), new Member("m2", "b", 10, Set.of())), weights);
        Map<String, List<Integer>> again = ShardAssignor.plan(List.of(
                new Member("m1x", "a", 10, Set.copyOf(first.get("m1"))),
                new Member("m2x", "b", 10, Set.copyOf(first.get("m2")))), weights);
        assertThat(new HashSet<>(again.get("m1x"))).isEqualTo(new HashSet<>(first.get("m1")));
        assertThat(new HashSet<>(again.get("m2x"))).isEqualTo(new HashSet<>(first.get("m2")));
    }

    @Test
    void aJoiningNodeGetsItsShareInTwoSteps() {
        int[] weights = {1, 1, 1, 1, 1, 1};
        Set<Integer> everything = Set.of(0, 1, 2, 3, 4, 5);
        // Round 1: the old node gives some up; the new node is not given them in the same round.
        Map<String, List<Integer>> round1 = ShardAssignor.plan(List.of(
                new Member("old", "a", 10, everything), new Member("new", "b", 10, Set.of())), weights);
        assertThat(round1.get("old")).hasSize(3);
        assertThat(round1.get("new")).isEmpty();
        // Round 2 (after the revocation): the released shards go to the new node.
        Map<String, List<Integer>> round2 = ShardAssignor.plan(List.of(
                new Member("old", "a", 10, Set.copyOf(round1.get("old"))), new Member("new", "b", 10, Set.of())),
                weights);
        assertThat(round2.get("old")).containsExactlyInAnyOrderElementsOf(round1.get("old"));
        assertThat(round2.get("new")).hasSize(3).doesNotContainAnyElementsOf(round1.get("old"));
    }

    @Test
    void aDeadNodesShardsGoToTheSurvivorsAtOnce() {
        int[] weights = {2, 2, 2, 2, 2, 2};
        // Three nodes had two shards each; "c" died: its shards are owned by no live member.
        Map<String, List<Integer>> plan = ShardAssignor.plan(List.of(
                new Member("a", "a", 10, Set.of(0, 1)), new Member("b", "b", 10, Set.of(2, 3))), weights);
        assertThat(plan.get("a")).contains(0, 1);
        assertThat(plan.get("b")).contains(2, 3);
        assertThat(plan.get("a").size() + plan.get("b").size()).isEqualTo(6);
    }
}
