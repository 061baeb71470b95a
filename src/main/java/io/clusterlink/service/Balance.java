package io.clusterlink.service;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How one member of the fleet moves towards an even share of the work: each member holds at most
 * {@code ceil(work / members)} units, gives back what it holds beyond that, and takes free units
 * while it holds fewer; when that leaves a member short of {@code floor(work / members)} with
 * nothing free, members above the floor give one back each. Every member decides alone from the same facts (the members and who holds
 * what, as PostgreSQL shows them), so the fleet converges without talking: units given back are
 * free for members below their share, and no unit is ever taken from a holder. Each member
 * prefers units by rendezvous hashing, so what a member holds stays stable and members rarely
 * race for the same free unit.
 */
final class Balance {

    record Decision(List<Long> acquire, List<Long> release) {
    }

    private Balance() {
    }

    /**
     * @param me this member
     * @param members the fleet's members, as the database lists them (this one may be missing)
     * @param work the units there are
     * @param holders who holds which unit (any kind of hold)
     * @param mine the units this member holds
     */
    static Decision decide(String me, Collection<String> members, Set<Long> work, Map<Long, String> holders,
            Set<Long> mine) {
        int count = members.contains(me) ? members.size() : members.size() + 1;
        int share = (int) ((work.size() + (long) count - 1) / count);
        List<Long> release = new ArrayList<>();
        List<Long> held = new ArrayList<>();
        for (long unit : mine) {
            if (work.contains(unit)) {
                held.add(unit);
            } else {
                release.add(unit);
            }
        }
        List<Long> acquire = new ArrayList<>();
        Comparator<Long> preference = Comparator.comparingLong((Long unit) -> score(me, unit)).reversed();
        int floor = work.size() / count;
        if (held.size() > share) {
            held.sort(preference);
            release.addAll(held.subList(share, held.size()));
        } else if (held.size() > floor && nothingFree(work, holders, mine) && someoneBelow(floor, members, me, work,
                holders)) {
            // Shares of ceil(work / members) can leave one member short by more than one: give one back.
            held.sort(preference);
            release.add(held.get(held.size() - 1));
        } else if (held.size() < share) {
            List<Long> free = new ArrayList<>();
            for (long unit : work) {
                if (!holders.containsKey(unit) && !mine.contains(unit)) {
                    free.add(unit);
                }
            }
            free.sort(preference);
            acquire.addAll(free.subList(0, Math.min(free.size(), share - held.size())));
        }
        return new Decision(acquire, release);
    }

    private static boolean nothingFree(Set<Long> work, Map<Long, String> holders, Set<Long> mine) {
        for (long unit : work) {
            if (!holders.containsKey(unit) && !mine.contains(unit)) {
                return false;
            }
        }
        return true;
    }

    private static boolean someoneBelow(int floor, Collection<String> members, String me, Set<Long> work,
            Map<Long, String> holders) {
        Map<String, Integer> counts = new HashMap<>();
        members.forEach(m -> counts.put(m, 0));
        holders.forEach((unit, member) -> {
            if (work.contains(unit)) {
                counts.merge(member, 1, Integer::sum);
            }
        });
        counts.remove(me);
        return counts.values().stream().anyMatch(c -> c < floor);
    }

    /** A member's preference for a unit: a well-mixed hash of both (splitmix64's finaliser). */
    static long score(String member, long unit) {
        long z = member.hashCode() * 0x9E3779B97F4A7C15L + unit;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
