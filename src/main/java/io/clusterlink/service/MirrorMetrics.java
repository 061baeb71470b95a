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
import io.clusterlink.link.MirrorLifecycle;
import io.clusterlink.link.MirrorStatus;
import io.clusterlink.link.PartitionLag;
import io.clusterlink.store.LinkStore;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * The replication metrics (Prometheus at {@code /q/metrics}), refreshed every
 * {@code clusterlink.metrics.refresh-interval}. The gauges of a link and its mirrors are exported
 * by the one instance of the fleet that holds the link (as its sync tasks), so a fleet exports each
 * series once; the counters of the copy (records and bytes copied, restarts, fence waits) by every
 * instance, for what it did. A lag that is not known (a cluster does not answer) is left out, never
 * shown as 0; progress gauges (alignment, promote) exist while the work does.
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
    private final MultiGauge alignmentFilled;
    private final MultiGauge alignmentTarget;
    private final MultiGauge promoteRemaining;
    /** The counters of each mirror, by mirror id. */
    private final Map<Long, List<Meter>> counters = new ConcurrentHashMap<>();
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
        this.alignmentFilled = MultiGauge.builder("clusterlink.mirror.partition.alignment.filled.offsets")
                .description("Offsets an alignment has filled so far in a mirror partition that starts above offset 0 "
                        + "(present while it aligns)")
                .register(registry);
        this.alignmentTarget = MultiGauge.builder("clusterlink.mirror.partition.alignment.target.offset")
                .description("The offset a mirror partition is being aligned to: it starts there once the alignment "
                        + "filled every offset below (present while it aligns)")
                .register(registry);
        this.promoteRemaining = MultiGauge.builder("clusterlink.mirror.partition.promote.remaining.records")
                .description("Records a promoted mirror partition still has to copy up to its stop offset (present "
                        + "while the promote is in progress)")
                .register(registry);
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
        List<MultiGauge.Row<?>> filledRows = new ArrayList<>();
        List<MultiGauge.Row<?>> targetRows = new ArrayList<>();
        List<MultiGauge.Row<?>> remainingRows = new ArrayList<>();
        Set<Long> present = new HashSet<>();
        for (Link link : store.listAllLinks()) {
            List<Mirror> ofLink = store.listMirrors(link);
            ofLink.forEach(m -> present.add(m.id()));
            ofLink.forEach(m -> counters(link, m));
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
                    if (lag.isAligning()) {
                        filledRows.add(MultiGauge.Row.of(tags, lag.alignmentFilledOffsets()));
                        targetRows.add(MultiGauge.Row.of(tags, lag.alignmentTargetOffset()));
                    }
                    if (MirrorLifecycle.promoting(m) && lag.lag() >= 0) {
                        remainingRows.add(MultiGauge.Row.of(tags, lag.lag()));
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
        alignmentFilled.register(filledRows, true);
        alignmentTarget.register(targetRows, true);
        promoteRemaining.register(remainingRows, true);
        Map<Long, List<Meter>> gone = new HashMap<>(counters);
        gone.keySet().removeAll(present);
        gone.forEach((id, meters) -> {
            meters.forEach(registry::remove);
            counters.remove(id);
        });
        fleet.forgetTakeoversExcept(present);
    }

    /** Registers the counters of a mirror's copy on this instance, once. */
    private void counters(Link link, Mirror m) {
        counters.computeIfAbsent(m.id(), id -> {
            Tags tags = Tags.of("cluster", link.clusterId(), "link", link.name(), "mirror_topic", m.mirrorTopic());
            List<Meter> meters = new ArrayList<>();
            meters.add(FunctionCounter.builder("clusterlink.mirror.records.copied", replication,
                    r -> r.copiedRecords(id))
                    .description("Mirror offsets this instance wrote and the destination acknowledged (records and the "
                            + "fillers of gaps)")
                    .tags(tags).register(registry));
            meters.add(FunctionCounter.builder("clusterlink.mirror.copied", replication, r -> r.copiedBytes(id))
                    .description("Bytes of keys and values this instance wrote to the mirror and the destination "
                            + "acknowledged")
                    .baseUnit(BaseUnits.BYTES).tags(tags).register(registry));
            for (RestartCause cause : RestartCause.values()) {
                meters.add(FunctionCounter.builder("clusterlink.mirror.restarts", replication,
                        r -> r.restarts(id, cause))
                        .description("Times this instance started copying a partition of the mirror again from its "
                                + "verified end offset, by cause")
                        .tags(tags.and("cause", cause.label())).register(registry));
            }
            meters.add(FunctionCounter.builder("clusterlink.mirror.fence.waits", replication, r -> r.fenceWaits(id))
                    .description("Waits before this instance wrote a partition of the mirror, for writes of an earlier "
                            + "writer to land: a start after a failure or of a partition not left quiet (start), a "
                            + "partition taken over from an instance that vanished (takeover)")
                    .tags(tags.and("reason", "start")).register(registry));
            meters.add(FunctionCounter.builder("clusterlink.mirror.fence.waits", fleet, f -> f.takeoverWaits(id))
                    .description("Waits before this instance wrote a partition of the mirror, for writes of an earlier "
                            + "writer to land: a start after a failure or of a partition not left quiet (start), a "
                            + "partition taken over from an instance that vanished (takeover)")
                    .tags(tags.and("reason", "takeover")).register(registry));
            return meters;
        });
    }
}
