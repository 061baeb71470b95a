package io.clusterlink.api;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

import io.clusterlink.link.LinkError;
import io.clusterlink.link.LinkView;
import io.clusterlink.link.MirrorTopicError;
import io.clusterlink.service.LagHistory;
import io.clusterlink.service.StatusQueries;
import io.quarkus.qute.RawString;

/**
 * The status page as its template prints it: every figure already formatted, so the template only
 * places strings, which Qute escapes. The lag plots are the one raw part ({@link LagPlot}: numbers
 * only).
 */
record StatusPageModel(String instanceId, String generatedAt, String sampleInterval, String history,
        long refreshSeconds, String onlyLink, List<Cluster> clusters) {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);
    static final String UNKNOWN = "unknown";

    record Cluster(String clusterId, String name, List<LinkRow> links) {
    }

    record LinkRow(String name, String sourceClusterId, String state, boolean available, String error,
            List<TaskRow> tasks, List<MirrorRow> mirrors) {
    }

    record TaskRow(String name, String state, List<String> errors) {
    }

    /**
     * A mirror; {@code recordsLag} and {@code timeLag} are the whole mirror's (sum, largest), each
     * partition's in {@code partitions}; {@code sampled} says how old they are.
     */
    record MirrorRow(String topic, String sourceTopic, String state, String error, String message, String since,
            String sampled, String recordsLag, String timeLag, List<PartitionRow> partitions, RawString plot,
            String plotCaption) {
    }

    /** {@code timeLagMs} -1 when not known. */
    record PartitionRow(int partition, String recordsLag, String timeLag, long timeLagMs, String sourceEnd) {
    }

    /** The page; with {@code onlyLink} (null for all), only the links of that name (on any destination cluster). */
    static StatusPageModel of(StatusQueries.View view, String onlyLink) {
        long now = view.atMs();
        long from = now - view.history().toMillis();
        List<Cluster> clusters = view.clusters().stream()
                .map(c -> new Cluster(c.clusterId(), c.name(), c.links().stream()
                        .filter(l -> onlyLink == null || l.name().equals(onlyLink))
                        .map(l -> link(l, from, now)).toList()))
                .filter(c -> onlyLink == null || !c.links().isEmpty())
                .toList();
        return new StatusPageModel(view.instanceId(), time(now), duration(view.sampleInterval().toMillis()),
                duration(view.history().toMillis()), Math.max(5, view.sampleInterval().toSeconds()), onlyLink,
                clusters);
    }

    private static LinkRow link(StatusQueries.LinkEntry l, long from, long now) {
        String error = l.error() == null || l.error() == LinkError.NO_ERROR ? null
                : l.error().name() + (l.errorMessage() == null ? "" : ": " + l.errorMessage());
        List<TaskRow> tasks = l.tasks().stream().map(StatusPageModel::task).toList();
        return new LinkRow(l.name(), l.sourceClusterId(), l.state().name(), l.available(), error, tasks,
                l.mirrors().stream().map(m -> mirror(m, from, now)).toList());
    }

    private static TaskRow task(LinkView.LinkTask t) {
        return new TaskRow(t.name(), t.state(), t.errors().stream()
                .map(e -> e.code() == null ? e.message() : e.code() + ": " + e.message()).toList());
    }

    private static MirrorRow mirror(StatusQueries.MirrorEntry m, long from, long now) {
        String error = m.error() == null || m.error() == MirrorTopicError.NO_ERROR ? null : m.error().name();
        LagHistory.Sample lags = m.lags();
        List<PartitionRow> partitions = lags == null ? List.of() : lags.partitions().stream()
                .map(p -> new PartitionRow(p.partition(), count(p.recordsLag()), duration(p.timeLagMs()),
                        p.timeLagMs(), count(p.lastSourceFetchOffset())))
                .toList();
        String sampled = lags == null ? "not sampled yet"
                : "sampled " + duration(Math.max(0, now - lags.atMs())) + " ago";
        return new MirrorRow(m.mirrorTopic(), m.sourceTopic(), m.status().name(), error, m.message(),
                time(m.stateTimeMs()), sampled, lags == null ? UNKNOWN : count(lags.recordsLag()),
                lags == null ? UNKNOWN : duration(lags.maxTimeLagMs()), partitions,
                new RawString(LagPlot.svg(m.history(), plotStart(m.history(), from), now)),
                plotCaption(m.history(), from, now));
    }

    /** A plot spans the history, or less while the service has sampled for a shorter time. */
    private static long plotStart(List<LagHistory.Point> history, long from) {
        return history.stream().mapToLong(LagHistory.Point::atMs).filter(t -> t >= from).min().orElse(from);
    }

    static String plotCaption(List<LagHistory.Point> history, long from, long now) {
        List<LagHistory.Point> shown = history.stream().filter(p -> p.atMs() >= from && p.atMs() <= now).toList();
        if (shown.isEmpty()) {
            return "Records lag over time: not sampled yet";
        }
        long highest = shown.stream().mapToLong(LagHistory.Point::recordsLag).max().orElse(0);
        return "Records lag over the last " + duration(now - plotStart(shown, from)) + ", highest "
                + count(highest) + " (" + shown.size() + (shown.size() == 1 ? " sample)" : " samples)");
    }

    /** A record count or an offset, exact; "unknown" for -1. */
    static String count(long n) {
        return n < 0 ? UNKNOWN : Long.toString(n);
    }

    /** A duration for people: "340 ms", "59.9 s", "5 s", "12 min 5 s", "3 h 20 min"; "unknown" for -1. */
    static String duration(long ms) {
        if (ms < 0) {
            return UNKNOWN;
        }
        if (ms < 1000) {
            return ms + " ms";
        }
        if (ms < 60_000) {
            return ms / 1000 + (ms % 1000 < 100 ? "" : "." + ms % 1000 / 100) + " s";
        }
        if (ms < 3_600_000) {
            long s = ms / 1000;
            return s / 60 + " min" + (s % 60 == 0 ? "" : " " + s % 60 + " s");
        }
        long min = ms / 60_000;
        return min / 60 + " h" + (min % 60 == 0 ? "" : " " + min % 60 + " min");
    }

    static String time(long epochMs) {
        return TIME.format(Instant.ofEpochMilli(epochMs));
    }
}
