package io.clusterlink.store;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

/**
 * The per-partition rows of mirrors ({@code mirror_partitions}): facts any instance of a fleet needs
 * when it continues a partition another instance copied. A missing row reads as all false.
 */
@ApplicationScoped
public class MirrorPartitions {

    /** What is stored about the partitions of one mirror. */
    public record States(Set<Integer> aligned, Set<Integer> reachedStop) {

        public static final States NONE = new States(Set.of(), Set.of());
    }

    private final EntityManager em;

    MirrorPartitions(EntityManager em) {
        this.em = em;
    }

    /** Partitions {@code [from, to)} of a mirror whose topic is made (or grown) now: nothing ever wrote them. */
    @Transactional
    public void added(long mirrorId, int from, int to) {
        for (int p = from; p < to; p++) {
            em.createNativeQuery("insert into mirror_partitions (mirror_id, partition, quiet) values (?1, ?2, true) "
                    + "on conflict (mirror_id, partition) do update set quiet = true")
                    .setParameter(1, mirrorId).setParameter(2, p).executeUpdate();
        }
    }

    /**
     * Takes over a partition: true when its last writer left it with nothing in flight, which holds
     * only until someone writes it again, so the flag is cleared.
     */
    @Transactional
    public boolean takeQuiet(long mirrorId, int partition) {
        return em.createNativeQuery("update mirror_partitions set quiet = false "
                + "where mirror_id = ?1 and partition = ?2 and quiet")
                .setParameter(1, mirrorId).setParameter(2, partition).executeUpdate() == 1;
    }

    /** Whether a partition was left with nothing in flight, without taking it over. */
    @Transactional
    public boolean quiet(long mirrorId, int partition) {
        List<?> rows = em
                .createNativeQuery("select quiet from mirror_partitions where mirror_id = ?1 and partition = ?2")
                .setParameter(1, mirrorId).setParameter(2, partition).getResultList();
        return !rows.isEmpty() && Boolean.TRUE.equals(rows.get(0));
    }

    /** Records whether a partition is left with nothing in flight, as its writer lets go of it. */
    @Transactional
    public void released(long mirrorId, int partition, boolean quiet) {
        em.createNativeQuery("insert into mirror_partitions (mirror_id, partition, quiet) select ?1, ?2, ?3 "
                + "where exists (select 1 from mirror_topics where id = ?1) "
                + "on conflict (mirror_id, partition) do update set quiet = excluded.quiet")
                .setParameter(1, mirrorId).setParameter(2, partition).setParameter(3, quiet).executeUpdate();
    }

    /** The stored states of every mirror's partitions. */
    @Transactional
    public Map<Long, States> all() {
        Map<Long, Set<Integer>> aligned = new HashMap<>();
        Map<Long, Set<Integer>> reached = new HashMap<>();
        List<?> rows = em.createNativeQuery("select mirror_id, partition, aligned, reached_stop from mirror_partitions "
                + "where aligned or reached_stop").getResultList();
        for (Object row : rows) {
            Object[] r = (Object[]) row;
            long id = ((Number) r[0]).longValue();
            int partition = ((Number) r[1]).intValue();
            if (Boolean.TRUE.equals(r[2])) {
                aligned.computeIfAbsent(id, k -> new HashSet<>()).add(partition);
            }
            if (Boolean.TRUE.equals(r[3])) {
                reached.computeIfAbsent(id, k -> new HashSet<>()).add(partition);
            }
        }
        Map<Long, States> states = new HashMap<>();
        Set<Long> ids = new HashSet<>(aligned.keySet());
        ids.addAll(reached.keySet());
        for (long id : ids) {
            states.put(id, new States(aligned.getOrDefault(id, Set.of()), reached.getOrDefault(id, Set.of())));
        }
        return states;
    }

    /** Marks partitions; returns how many of the mirror's {@code partitions} are not marked yet. */
    long mark(long mirrorId, int partition, int partitions, String column) {
        em.createNativeQuery(
                "insert into mirror_partitions (mirror_id, partition, " + column + ") values (?1, ?2, true) "
                        + "on conflict (mirror_id, partition) do update set " + column + " = true")
                .setParameter(1, mirrorId).setParameter(2, partition).executeUpdate();
        Number marked = (Number) em.createNativeQuery("select count(*) from mirror_partitions where mirror_id = ?1 "
                + "and partition < ?2 and " + column).setParameter(1, mirrorId).setParameter(2, partitions)
                .getSingleResult();
        return partitions - marked.longValue();
    }

    /** Clears the stop marks of a mirror (a promotion starts, or its completion found it short). */
    @Transactional
    public void clearStops(long mirrorId) {
        em.createNativeQuery("update mirror_partitions set reached_stop = false where mirror_id = ?1")
                .setParameter(1, mirrorId).executeUpdate();
    }
}
