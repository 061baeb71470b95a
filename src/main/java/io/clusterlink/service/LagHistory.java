package io.clusterlink.service;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.clusterlink.config.ClusterlinkConfig;
import io.clusterlink.link.Mirror;
import io.clusterlink.link.PartitionLag;
import io.clusterlink.store.LinkStore;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Every mirror's lags as the status page shows them, sampled in the background every
 * {@code clusterlink.status.sample-interval}, with a history bounded by
 * {@code clusterlink.status.history} for the page's lag plots. The page reads only these samples,
 * so it answers at once while a cluster does not answer. Links are sampled side by side on a few
 * threads, one sampling per link at a time: a link whose source does not answer waits for its
 * timeouts alone (its samples age, the page says how much), the others stay fresh. Every instance
 * of a fleet samples every mirror, so any instance's page shows them all; the partitions an
 * instance copies cost it no Kafka call ({@link MirrorLags}).
 */
@ApplicationScoped
public class LagHistory {

    private static final Logger LOG = Logger.getLogger(LagHistory.class);
    /** Links sampled side by side. */
    private static final int THREADS = 4;

    /** One mirror partition in a sample; -1 where a figure is not known. */
    public record PartitionSample(int partition, long recordsLag, long timeLagMs, long lastSourceFetchOffset) {
    }

    /** A mirror's lags at one moment. */
    public record Sample(long atMs, List<PartitionSample> partitions) {

        /** Records the whole mirror is behind; -1 when a partition's lag is not known. */
        public long recordsLag() {
            long sum = 0;
            for (PartitionSample p : partitions) {
                if (p.recordsLag() < 0) {
                    return -1;
                }
                sum += p.recordsLag();
            }
            return sum;
        }

        /** The largest time lag of a partition; -1 when a partition's is not known. */
        public long maxTimeLagMs() {
            long max = 0;
            for (PartitionSample p : partitions) {
                if (p.timeLagMs() < 0) {
                    return -1;
                }
                max = Math.max(max, p.timeLagMs());
            }
            return max;
        }
    }

    /** A point of a mirror's history: its records lag and largest time lag, -1 where not known. */
    public record Point(long atMs, long recordsLag, long timeLagMs) {
    }

    /** One mirror's latest sample and its points, oldest first, at most {@code capacity} and none older than asked. */
    static final class Series {
        private final Deque<Point> points = new ArrayDeque<>();
        private Sample latest;

        /** Adds a sample; one older than the latest (two samplings crossed) is dropped. */
        synchronized void add(Sample sample, int capacity, long oldestMs) {
            if (latest != null && sample.atMs() < latest.atMs()) {
                return;
            }
            latest = sample;
            points.addLast(new Point(sample.atMs(), sample.recordsLag(), sample.maxTimeLagMs()));
            while (!points.isEmpty() && (points.size() > capacity || points.peekFirst().atMs() < oldestMs)) {
                points.removeFirst();
            }
        }

        synchronized Sample latest() {
            return latest;
        }

        synchronized List<Point> points() {
            return List.copyOf(points);
        }
    }

    private final LinkStore store;
    private final MirrorLags lags;
    private final Duration interval;
    private final Duration history;
    private final int capacity;
    private final Map<Long, Series> series = new ConcurrentHashMap<>();
    /** Links being sampled now: a link is never sampled twice at once. */
    private final Set<Long> busy = ConcurrentHashMap.newKeySet();
    private ScheduledExecutorService scheduler;
    private ExecutorService pool;

    LagHistory(LinkStore store, MirrorLags lags, ClusterlinkConfig config) {
        this.store = store;
        this.lags = lags;
        this.interval = config.status().sampleInterval();
        this.history = config.status().history();
        if (interval.toMillis() <= 0 || history.compareTo(interval) < 0) {
            throw new IllegalArgumentException("clusterlink.status.sample-interval must be positive and at most "
                    + "clusterlink.status.history");
        }
        this.capacity = (int) Math.min(10_000, history.toMillis() / interval.toMillis() + 1);
    }

    void start(@Observes StartupEvent event) {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "status-lag-scheduler");
            t.setDaemon(true);
            return t;
        });
        AtomicInteger n = new AtomicInteger();
        pool = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "status-lag-sampler-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(this::scheduleQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        for (ExecutorService executor : new ExecutorService[] { scheduler, pool }) {
            if (executor != null) {
                executor.shutdownNow();
            }
        }
    }

    /** How often the mirrors are sampled. */
    public Duration interval() {
        return interval;
    }

    /** How far back a mirror's points reach. */
    public Duration history() {
        return history;
    }

    /** Hands each link that is not being sampled still to the pool; forgets mirrors that are gone. */
    private void scheduleQuietly() {
        try {
            for (Map.Entry<Long, List<Mirror>> e : mirrorsByLink().entrySet()) {
                long linkId = e.getKey();
                if (busy.add(linkId)) {
                    pool.execute(() -> {
                        try {
                            e.getValue().forEach(this::sample);
                        } catch (RuntimeException ex) {
                            LOG.debugf(ex, "Sampling the lags of link %d failed", linkId);
                        } finally {
                            busy.remove(linkId);
                        }
                    });
                }
            }
        } catch (RuntimeException e) {
            LOG.debugf(e, "Sampling the mirrors' lags failed");
        }
    }

    /** Samples every mirror of every link now, on the calling thread; for tests that do not wait for the interval. */
    public void sample() {
        mirrorsByLink().values().forEach(mirrors -> mirrors.forEach(this::sample));
    }

    /** The mirrors to sample by link; the history of mirrors that are gone is dropped. */
    private Map<Long, List<Mirror>> mirrorsByLink() {
        Map<Long, List<Mirror>> byLink = new HashMap<>();
        Set<Long> present = new HashSet<>();
        for (Mirror m : store.listAllMirrors()) {
            present.add(m.id());
            if (!m.creating()) {
                byLink.computeIfAbsent(m.linkId(), id -> new ArrayList<>()).add(m);
            }
        }
        series.keySet().retainAll(present);
        return byLink;
    }

    private void sample(Mirror m) {
        Sample sample = sampleOf(m);
        series.computeIfAbsent(m.id(), id -> new Series()).add(sample, capacity, sample.atMs() - history.toMillis());
    }

    private Sample sampleOf(Mirror m) {
        List<PartitionLag> partitionLags = lags.of(m);
        Map<Integer, Long> timeLags = lags.timeLags(m, partitionLags);
        List<PartitionSample> partitions = new ArrayList<>(partitionLags.size());
        for (PartitionLag lag : partitionLags) {
            partitions.add(new PartitionSample(lag.partition(), lag.lag(),
                    timeLags.getOrDefault(lag.partition(), -1L), lag.lastSourceFetchOffset()));
        }
        return new Sample(System.currentTimeMillis(), List.copyOf(partitions));
    }

    /** The mirror's latest sample; empty before it was first sampled. */
    Optional<Sample> latest(long mirrorId) {
        Series s = series.get(mirrorId);
        return s == null ? Optional.empty() : Optional.ofNullable(s.latest());
    }

    /** The mirror's points within the history, oldest first. */
    List<Point> points(long mirrorId) {
        Series s = series.get(mirrorId);
        return s == null ? List.of() : s.points();
    }
}
