package io.clusterlink.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

class BalanceTest {

    private static Set<Long> units(int n) {
        return LongStream.range(0, n).boxed().collect(Collectors.toSet());
    }

    @Test
    void aSingleMemberTakesEverything() {
        Balance.Decision d = Balance.decide("a", List.of("a"), units(10), Map.of(), Set.of());

        assertThat(d.acquire()).hasSize(10);
        assertThat(d.release()).isEmpty();
    }

    @Test
    void aMemberNotYetListedCountsItself() {
        Balance.Decision d = Balance.decide("b", List.of("a"), units(10), Map.of(), Set.of());

        assertThat(d.acquire()).hasSize(5);
    }

    @Test
    void aMemberAboveItsShareGivesBackTheUnitsItPrefersLeast() {
        // Given a holds all ten units and b joined
        Map<Long, String> holders = new HashMap<>();
        units(10).forEach(u -> holders.put(u, "a"));

        // When a decides
        Balance.Decision d = Balance.decide("a", List.of("a", "b"), units(10), holders, units(10));

        // Then it gives back five, never takes
        assertThat(d.release()).hasSize(5);
        assertThat(d.acquire()).isEmpty();
        long worstKept = units(10).stream().filter(u -> !d.release().contains(u))
                .mapToLong(u -> Balance.score("a", u)).min().orElseThrow();
        assertThat(d.release()).allSatisfy(u -> assertThat(Balance.score("a", u)).isLessThan(worstKept));
    }

    @Test
    void unitsHeldByOthersAreNeverTaken() {
        Map<Long, String> holders = new HashMap<>();
        LongStream.range(0, 8).forEach(u -> holders.put(u, "a"));

        Balance.Decision d = Balance.decide("b", List.of("a", "b"), units(10), holders, Set.of());

        assertThat(d.acquire()).containsExactlyInAnyOrder(8L, 9L);
    }

    @Test
    void unitsThatAreNoLongerWorkAreGivenBack() {
        Balance.Decision d = Balance.decide("a", List.of("a"), units(3), Map.of(7L, "a"), Set.of(0L, 7L));

        assertThat(d.release()).containsExactly(7L);
        assertThat(d.acquire()).containsExactlyInAnyOrder(1L, 2L);
    }

    @Test
    void membersDecidingInTurnConvergeToEvenShares() {
        // Given three members, one of which joined late, and 100 units
        Set<Long> work = units(100);
        Map<String, Set<Long>> mine = new HashMap<>();
        List<String> members = List.of("a", "b", "c");
        members.forEach(m -> mine.put(m, new HashSet<>()));
        mine.get("a").addAll(work);

        // When each decides and acts, round after round
        for (int round = 0; round < 6; round++) {
            for (String m : members) {
                Map<Long, String> holders = new HashMap<>();
                mine.forEach((member, held) -> held.forEach(u -> holders.put(u, member)));
                Balance.Decision d = Balance.decide(m, members, work, holders, Set.copyOf(mine.get(m)));
                d.release().forEach(mine.get(m)::remove);
                mine.get(m).addAll(d.acquire());
            }
        }

        // Then every unit has exactly one holder and each holds 33 or 34
        Set<Long> all = new HashSet<>();
        mine.values().forEach(held -> {
            assertThat(held.size()).isBetween(33, 34);
            held.forEach(u -> assertThat(all.add(u)).isTrue());
        });
        assertThat(all).isEqualTo(work);
        // and stays so: nobody moves anything in a further round
        Map<Long, String> holders = new HashMap<>();
        mine.forEach((member, held) -> held.forEach(u -> holders.put(u, member)));
        for (String m : members) {
            Balance.Decision d = Balance.decide(m, members, work, holders, Set.copyOf(mine.get(m)));
            assertThat(d.acquire()).as("taken by %s", m).isEmpty();
            assertThat(d.release()).as("given back by %s", m).isEmpty();
        }
    }
}
