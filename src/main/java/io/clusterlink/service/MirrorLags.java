package io.clusterlink.service;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

import io.clusterlink.kafka.DestinationTopics;
import io.clusterlink.kafka.SourceTopics;
import io.clusterlink.link.Link;
import io.clusterlink.link.Mirror;
import io.clusterlink.link.MirrorLifecycle;
import io.clusterlink.link.PartitionLag;
import io.clusterlink.store.LinkStore;

/**
 * Per-partition lags of a mirror: live from this instance's data plane for the partitions it
 * copies; else (partitions another instance of the fleet copies, a mirror that is not being copied)
 * read from Kafka: the source's last stable offset less the mirror's end offset. A lag is never shown as 0
 * while records are missing; a stopped mirror has none.
 * <p>
 * The progress of long work comes with them: a partition that aligns its offsets shows how many it
 * filled of its target (live from the instance that aligns it; else its end offset while that is
 * below its start offset), and a promoted mirror's partitions show their stop offsets, the lag
 * then being what is left to copy up to them.
 */
@ApplicationScoped
class MirrorLags {

    /** How long lags read from Kafka are reused. */
    private static final long CACHE_MS = 1000;

    private record Cached(List<PartitionLag> lags, long at) {
    }

    private final LinkStore store;
    private final LinkLookup lookup;
    private final SourceTopics sourceTopics;
    private final DestinationTopics destinationTopics;
    private final ReplicationControl replication;
    private final Map<Long, Cached> cache = new ConcurrentHashMap<>();
    private final Map<Long, CachedEnds> endsCache = new ConcurrentHashMap<>();

    private record CachedEnds(List<Long> ends, long at) {
    }

    MirrorLags(LinkStore store, LinkLookup lookup, SourceTopics sourceTopics, DestinationTopics destinationTopics,
            ReplicationControl replication) {
        this.store = store;
        this.lookup = lookup;
        this.sourceTopics = sourceTopics;
        this.destinationTopics = destinationTopics;
        this.replication = replication;
    }

    List<PartitionLag> of(Mirror m) {
        Map<Integer, PartitionLag> live = replication.lags(m);
        List<PartitionLag> lags;
        if (live.size() >= m.partitions()) {
            lags = IntStream.range(0, m.partitions()).mapToObj(live::get)
                    .collect(Collectors.toCollection(ArrayList::new));
        } else {
            lags = new ArrayList<>(fromKafka(m));
            live.forEach((partition, lag) -> {
                if (partition < lags.size()) {
                    lags.set(partition, lag);
                }
            });
        }
        if (MirrorLifecycle.aligning(m)) {
            addAlignments(m, lags);
        }
        if (MirrorLifecycle.promoting(m) && m.stopOffsets() != null) {
            for (int p = 0; p < lags.size() && p < m.stopOffsets().size(); p++) {
                if (lags.get(p).stopOffset() == null) {
                    lags.set(p, lags.get(p).stoppingAt(m.stopOffsets().get(p)));
                }
            }
        }
        return lags;
    }

    /**
     * Alignment progress of the partitions no alignment of this instance shows: a partition whose
     * mirror ends below its start offset is still being filled up to it (by the instance that
     * holds it, or once it is started again). Unknown (a cluster does not answer): left out.
     */
    private void addAlignments(Mirror m, List<PartitionLag> lags) {
        List<Long> starts = m.startOffsets();
        boolean open = false;
        for (int p = 0; p < lags.size() && p < starts.size(); p++) {
            open |= !lags.get(p).isAligning() && starts.get(p) > 0;
        }
        if (!open) {
            return;
        }
        List<Long> ends = mirrorEnds(m);
        for (int p = 0; p < lags.size() && p < starts.size() && p < ends.size(); p++) {
            long end = ends.get(p);
            if (!lags.get(p).isAligning() && end >= 0 && end < starts.get(p)) {
                lags.set(p, lags.get(p).aligning(end, starts.get(p)));
            }
        }
    }

    /** The mirror partitions' end offsets (-1 each when they cannot be read), reused for {@link #CACHE_MS}. */
    private List<Long> mirrorEnds(Mirror m) {
        CachedEnds cached = endsCache.get(m.id());
        long now = System.currentTimeMillis();
        if (cached != null && now - cached.at() < CACHE_MS && cached.ends().size() == m.partitions()) {
            return cached.ends();
        }
        List<Long> ends = new ArrayList<>();
        try {
            Map<TopicPartition, Long> read = destinationTopics.endOffsets(lookup.known(m.clusterId()),
                    IntStream.range(0, m.partitions()).mapToObj(p -> new TopicPartition(m.mirrorTopic(), p))
                            .collect(Collectors.toSet()));
            for (int p = 0; p < m.partitions(); p++) {
                ends.add(read.getOrDefault(new TopicPartition(m.mirrorTopic(), p), -1L));
            }
        } catch (RuntimeException e) {
            return IntStream.range(0, m.partitions()).mapToObj(p -> -1L).toList();
        }
        endsCache.put(m.id(), new CachedEnds(List.copyOf(ends), now));
        return ends;
    }

    private List<PartitionLag> fromKafka(Mirror m) {
        if (!MirrorLifecycle.hasLag(m.status())) {
            return IntStream.range(0, m.partitions()).mapToObj(p -> new PartitionLag(p, 0, -1)).toList();
        }
        Cached cached = cache.get(m.id());
        long now = System.currentTimeMillis();
        if (cached != null && now - cached.at() < CACHE_MS && cached.lags().size() == m.partitions()) {
            return cached.lags();
        }
        List<PartitionLag> lags = new ArrayList<>();
        try {
            Link link = store.findLink(m.linkId()).orElseThrow();
            Set<TopicPartition> sources = IntStream.range(0, m.partitions())
                    .mapToObj(p -> new TopicPartition(m.sourceTopic(), p)).collect(Collectors.toSet());
            Set<TopicPartition> mirrors = IntStream.range(0, m.partitions())
                    .mapToObj(p -> new TopicPartition(m.mirrorTopic(), p)).collect(Collectors.toSet());
            Map<TopicPartition, Long> sourceEnds = sourceTopics.offsets(link, sources, OffsetSpec.latest(),
                    IsolationLevel.READ_COMMITTED);
            Map<TopicPartition, Long> mirrorEnds = destinationTopics.endOffsets(lookup.known(m.clusterId()), mirrors);
            for (int p = 0; p < m.partitions(); p++) {
                long sourceEnd = sourceEnds.get(new TopicPartition(m.sourceTopic(), p));
                long mirrorEnd = mirrorEnds.get(new TopicPartition(m.mirrorTopic(), p));
                long stop = m.stopOffsets() == null ? sourceEnd : Math.min(sourceEnd, m.stopOffsets().get(p));
                lags.add(new PartitionLag(p, Math.max(0, stop - mirrorEnd), sourceEnd));
            }
        } catch (RuntimeException e) {
            // Unknown (a cluster does not answer): shown as not fetched, never as caught up.
            lags.clear();
            for (int p = 0; p < m.partitions(); p++) {
                lags.add(new PartitionLag(p, -1, -1));
            }
            return lags;
        }
        cache.put(m.id(), new Cached(List.copyOf(lags), now));
        return lags;
    }

    /**
     * Per-partition time lag in milliseconds: the highest record timestamp of the source partition
     * less that of the mirror partition; 0 for a partition with no records lag; -1 when unknown (a
     * cluster does not answer, the lag is unknown, or the mirror partition holds no record yet).
     * Read from Kafka ({@code ListOffsets} for the highest timestamp) for lagging partitions only.
     */
    Map<Integer, Long> timeLags(Mirror m, List<PartitionLag> lags) {
        Map<Integer, Long> result = new java.util.HashMap<>();
        Set<Integer> behind = new java.util.HashSet<>();
        for (PartitionLag lag : lags) {
            if (lag.lag() == 0) {
                result.put(lag.partition(), 0L);
            } else if (lag.lag() < 0) {
                result.put(lag.partition(), -1L);
            } else {
                behind.add(lag.partition());
            }
        }
        if (behind.isEmpty()) {
            return result;
        }
        try {
            Link link = store.findLink(m.linkId()).orElseThrow();
            Map<TopicPartition, Long> source = sourceTopics.maxTimestamps(link, behind.stream()
                    .map(p -> new TopicPartition(m.sourceTopic(), p)).collect(Collectors.toSet()));
            Map<TopicPartition, Long> mirror = destinationTopics.maxTimestamps(lookup.known(m.clusterId()),
                    behind.stream().map(p -> new TopicPartition(m.mirrorTopic(), p)).collect(Collectors.toSet()));
            for (int p : behind) {
                long newestSource = source.getOrDefault(new TopicPartition(m.sourceTopic(), p), -1L);
                long newestMirrored = mirror.getOrDefault(new TopicPartition(m.mirrorTopic(), p), -1L);
                result.put(p,
                        newestSource < 0 || newestMirrored < 0 ? -1L : Math.max(0, newestSource - newestMirrored));
            }
        } catch (RuntimeException e) {
            behind.forEach(p -> result.put(p, -1L));
        }
        return result;
    }
}
