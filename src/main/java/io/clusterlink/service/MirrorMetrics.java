package io.clusterlink.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.clusterlink.config.ClusterlinkConfig;
import io.clusterlink.link.Link;
import io.clusterlink.link.LinkState;
import io.clusterlink.link.Mirror;
import io.clusterlink.link.MirrorStatus;
import io.clusterlink.link.PartitionLag;
import io.clusterlink.store.LinkStore;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * The replication metrics (Prometheus at {@code /q/metrics}), refreshed every
 * {@code clusterlink.metrics.refresh-interval}. The gauges of a link and its mirrors are exported
 * by the one instance of the fleet that holds the link (as its sync tasks), so a fleet exports each
 * series once; the copied-records counter by every instance, for what it wrote. A lag that is not
 * known (a cluster does not answer) is left out, never shown as 0.
 */
@ApplicationScoped
public class MirrorMetrics {

    private static final Logger LOG = Logger.getLogger(MirrorMetrics.class);

    private final LinkStore store;
    private final MirrorLags lags;
    private final Fleet fleet;
    private final ReplicationControl replication;
    private final MeterRegistry registry;
    private final Duration interval;
    private final MultiGauge recordsLag;
    private final MultiGauge timeLag;
    private final MultiGauge mirrors;
    private final MultiGauge linkAvailable;
    private final MultiGauge linkState;
    private final Map<Long, FunctionCounter> copied = new ConcurrentHashMap<>();
    private ScheduledExecutorService refresher;

    MirrorMetrics(LinkStore store, MirrorLags lags, Fleet fleet, ReplicationControl replication,
            MeterRegistry registry, ClusterlinkConfig config) {
        this.store = store;
        this.lags = lags;
        this.fleet = fleet;
        this.replication = replication;
        this.registry = registry;
        this.interval = config.metrics().refreshInterval();
        this.recordsLag = MultiGauge.builder("clusterlink.mirror.partition.lag.records")
                .description("Records the mirror partition is behind its source (the source's last stable offset, "
                        + "or the stop offset of a promotion, less the mirror's end offset)")
                .register(registry);
        this.timeLag = MultiGauge.builder("clusterlink.mirror.partition.time.lag.ms")
                .description("How far behind the mirror partition is in time: the highest record timestamp of the "
                        + "source partition less that of the mirror partition, in milliseconds (0 without records lag)")
                .register(registry);
        this.mirrors = MultiGauge.builder("clusterlink.mirrors")
                .description("Mirror topics of the link in each state").register(registry);
        this.linkAvailable = MultiGauge.builder("clusterlink.link.available")
                .description("1 while the link's source cluster answers (link state ACTIVE or PAUSED), else 0")
                .register(registry);
        this.linkState = MultiGauge.builder("clusterlink.link.state")
                .description("1 for the link's current state").register(registry);
    }

    void start(@Observes StartupEvent event) {
        refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "metrics-refresh");
            t.setDaemon(true);
            return t;
        });
        refresher.scheduleWithFixedDelay(this::refreshQuietly, interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (refresher != null) {
            refresher.shutdownNow();
        }
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (RuntimeException e) {
            LOG.debugf(e, "Metrics refresh failed");
        }
    }

    /** Reads the links and mirrors and sets every gauge; public for tests that do not wait for the interval. */
    public void refresh() {
        List<MultiGauge.Row<?>> recordRows = new ArrayList<>();
        List<MultiGauge.Row<?>> timeRows = new ArrayList<>();
        List<MultiGauge.Row<?>> mirrorRows = new ArrayList<>();
        List<MultiGauge.Row<?>> availableRows = new ArrayList<>();
        List<MultiGauge.Row<?>> stateRows = new ArrayList<>();
        Set<Long> present = new HashSet<>();
        for (Link link : store.listAllLinks()) {
            List<Mirror> ofLink = store.listMirrors(link);
            ofLink.forEach(m -> present.add(m.id()));
            ofLink.forEach(m -> counter(link, m));
            if (!fleet.ownsLink(link.id())) {
                continue;
            }
            Tags linkTags = Tags.of("cluster", link.clusterId(), "link", link.name());
            availableRows.add(MultiGauge.Row.of(linkTags,
                    link.state() == LinkState.ACTIVE || link.state() == LinkState.PAUSED ? 1 : 0));
            for (LinkState s : LinkState.values()) {
                stateRows.add(MultiGauge.Row.of(linkTags.and("state", s.name()), link.state() == s ? 1 : 0));
            }
            Map<MirrorStatus, Integer> byState = new TreeMap<>();
            for (MirrorStatus s : MirrorStatus.values()) {
                byState.put(s, 0);
            }
            for (Mirror m : ofLink) {
                byState.merge(m.status(), 1, Integer::sum);
                if (m.creating()) {
                    continue;
                }
                List<PartitionLag> partitionLags = lags.of(m);
                Map<Integer, Long> times = lags.timeLags(m, partitionLags);
                for (PartitionLag lag : partitionLags) {
                    Tags tags = linkTags.and("mirror_topic", m.mirrorTopic(), "partition",
                            Integer.toString(lag.partition()));
                    if (lag.lag() >= 0) {
                        recordRows.add(MultiGauge.Row.of(tags, lag.lag()));
                    }
                    Long ms = times.get(lag.partition());
                    if (ms != null && ms >= 0) {
                        timeRows.add(MultiGauge.Row.of(tags, ms));
                    }
                }
            }
            byState.forEach((s, n) -> mirrorRows.add(MultiGauge.Row.of(linkTags.and("state", s.name()), n)));
        }
        recordsLag.register(recordRows, true);
        timeLag.register(timeRows, true);
        mirrors.register(mirrorRows, true);
        linkAvailable.register(availableRows, true);
        linkState.register(stateRows, true);
        Map<Long, FunctionCounter> gone = new HashMap<>(copied);
        gone.keySet().removeAll(present);
        gone.forEach((id, meter) -> {
            registry.remove(meter);
            copied.remove(id);
        });
    }

    private void counter(Link link, Mirror m) {
        copied.computeIfAbsent(m.id(), id -> FunctionCounter.builder("clusterlink.mirror.records.copied", replication,
                r -> r.copiedRecords(id))
                .description("Mirror offsets this instance wrote and the destination acknowledged (records and the "
                        + "fillers of gaps)")
                .tags("cluster", link.clusterId(), "link", link.name(), "mirror_topic", m.mirrorTopic())
                .register(registry));
    }
}
