package io.clusterlink.link;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Which source topic configs a mirror topic carries, as Cluster Linking sorts them:
 * <ul>
 * <li><b>always</b> mirrored, whatever their source: {@code cleanup.policy}, {@code max.message.bytes},
 * {@code compression.type};
 * <li><b>configurable</b>: mirrored when set on the source topic and named in
 * {@code topic.config.sync.include} (by default all of them): the retention, segment, flush,
 * compaction and {@code min.insync.replicas} family;
 * <li>everything else (placement, throttles, unclean leader election, ...) is the mirror's own.
 * </ul>
 * While mirroring, the mirror also owns a few configs ({@link #whileMirroring}): its timestamp
 * configs, so that the source's record timestamps are kept as they are; {@code max.message.bytes}
 * as large as one request to the destination may be, so that no record that fit the source is too
 * large for its mirror (a re-batched or differently compressed record can be larger); and a
 * compact-only policy becomes {@code compact,delete} with unlimited retention, the same log but
 * one whose start offset can be moved (alignment and retention skips delete records). What the
 * source had is remembered ({@link #remembered}) and given back when the mirror stops
 * ({@link #restore}).
 */
public final class TopicConfigPolicy {

    public static final Set<String> ALWAYS = Collections.unmodifiableSet(new TreeSet<>(Set.of(
            TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
            TopicConfig.COMPRESSION_TYPE_CONFIG)));
    public static final Set<String> CONFIGURABLE = Collections.unmodifiableSet(new TreeSet<>(Set.of(
            TopicConfig.RETENTION_MS_CONFIG, TopicConfig.RETENTION_BYTES_CONFIG, TopicConfig.SEGMENT_BYTES_CONFIG,
            TopicConfig.SEGMENT_MS_CONFIG, TopicConfig.SEGMENT_JITTER_MS_CONFIG, TopicConfig.SEGMENT_INDEX_BYTES_CONFIG,
            TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG, TopicConfig.FLUSH_MS_CONFIG,
            TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, TopicConfig.DELETE_RETENTION_MS_CONFIG,
            TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG,
            TopicConfig.FILE_DELETE_DELAY_MS_CONFIG, TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG,
            TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, TopicConfig.PREALLOCATE_CONFIG)));
    static final String TIMESTAMP_BEFORE = "message.timestamp.before.max.ms";
    static final String TIMESTAMP_AFTER = "message.timestamp.after.max.ms";
    /** The timestamp bound of Kafka before 3.6. */
    static final String TIMESTAMP_DIFFERENCE = "message.timestamp.difference.max.ms";
    private static final String UNBOUNDED = String.valueOf(Long.MAX_VALUE);
    /** Configs the mirror owns while it mirrors and gives back at the stop. */
    private static final Set<String> OVERRIDDEN = Set.of(TopicConfig.CLEANUP_POLICY_CONFIG,
            TopicConfig.MAX_MESSAGE_BYTES_CONFIG, TopicConfig.RETENTION_MS_CONFIG, TopicConfig.RETENTION_BYTES_CONFIG,
            TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG);

    private final Set<String> synced;

    private TopicConfigPolicy(Set<String> include) {
        Set<String> all = new TreeSet<>(ALWAYS);
        all.addAll(include);
        this.synced = Collections.unmodifiableSet(all);
    }

    /**
     * The policy of a {@code topic.config.sync.include} value: comma-separated config names;
     * blank means every configurable config.
     *
     * @throws IllegalArgumentException naming any config that cannot be synced
     */
    public static TopicConfigPolicy parse(String include) {
        if (include == null || include.isBlank()) {
            return new TopicConfigPolicy(CONFIGURABLE);
        }
        Set<String> names = new LinkedHashSet<>();
        List<String> rejected = new ArrayList<>();
        for (String raw : include.split(",")) {
            String name = raw.trim();
            if (name.isEmpty()) {
                continue;
            }
            if (CONFIGURABLE.contains(name) || ALWAYS.contains(name)) {
                names.add(name);
            } else {
                rejected.add(TopicNames.printable(name));
            }
        }
        if (!rejected.isEmpty()) {
            throw new IllegalArgumentException(String.join(", ", rejected) + (rejected.size() > 1 ? " are" : " is")
                    + " not a topic config that can be synced; use any of " + String.join(", ", CONFIGURABLE));
        }
        return new TopicConfigPolicy(names);
    }

    /** Whether a mirror topic config is managed by the link (synced, or owned while mirroring). */
    public static boolean managed(String name) {
        return ALWAYS.contains(name) || CONFIGURABLE.contains(name) || OVERRIDDEN.contains(name)
                || name.equals(TIMESTAMP_BEFORE) || name.equals(TIMESTAMP_AFTER) || name.equals(TIMESTAMP_DIFFERENCE);
    }

    /**
     * The timestamp configs a mirror has while it mirrors, so that every source timestamp is
     * accepted as it is: {@code CreateTime} without bounds ({@code message.timestamp.before/after.max.ms}
     * from Kafka 3.6, {@code message.timestamp.difference.max.ms} before).
     */
    public static Map<String, String> mirrorOnly(boolean timestampBounds) {
        Map<String, String> result = new TreeMap<>();
        result.put(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "CreateTime");
        if (timestampBounds) {
            result.put(TIMESTAMP_BEFORE, UNBOUNDED);
            result.put(TIMESTAMP_AFTER, UNBOUNDED);
        } else {
            result.put(TIMESTAMP_DIFFERENCE, UNBOUNDED);
        }
        return result;
    }

    /**
     * The configs every mirror topic carries while it mirrors, whatever its source: the
     * {@link #mirrorOnly} timestamp configs and {@code max.message.bytes} of {@code maxBatchBytes}
     * (the largest batch one request to the destination takes). A topic made as a mirror has them.
     */
    public static Map<String, String> mirrorsOwn(int maxBatchBytes, boolean timestampBounds) {
        Map<String, String> result = mirrorOnly(timestampBounds);
        result.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(maxBatchBytes));
        return result;
    }

    /**
     * The configs a mirror carries while it mirrors, given the source's {@link #desired} ones:
     * {@code max.message.bytes} of {@code maxBatchBytes} (the largest batch one request to the
     * destination takes), a compact-only {@code cleanup.policy} as {@code compact,delete} with
     * unlimited retention, and the {@link #mirrorOnly} timestamp configs.
     */
    public static Map<String, String> whileMirroring(Map<String, String> desired, int maxBatchBytes,
            boolean timestampBounds) {
        Map<String, String> result = new TreeMap<>(desired);
        String policy = desired.get(TopicConfig.CLEANUP_POLICY_CONFIG);
        if (policy != null && !policies(policy).contains(TopicConfig.CLEANUP_POLICY_DELETE)) {
            result.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT + ","
                    + TopicConfig.CLEANUP_POLICY_DELETE);
            result.put(TopicConfig.RETENTION_MS_CONFIG, "-1");
            result.put(TopicConfig.RETENTION_BYTES_CONFIG, "-1");
        }
        result.putAll(mirrorsOwn(maxBatchBytes, timestampBounds));
        return result;
    }

    private static Set<String> policies(String value) {
        Set<String> result = new TreeSet<>();
        for (String p : value.split(",")) {
            result.add(p.trim().toLowerCase(Locale.ROOT));
        }
        return result;
    }

    /**
     * What a mirror gives back to its source's values when it stops, read from the source topic:
     * the values of the configs the mirror owns while mirroring that the source sets, and its
     * timestamp type when it is {@code LogAppendTime} or set on the topic.
     */
    public static Map<String, String> remembered(Config source) {
        Map<String, String> result = new TreeMap<>();
        for (String name : OVERRIDDEN) {
            ConfigEntry e = source.get(name);
            if (e == null || e.value() == null) {
                continue;
            }
            boolean always = ALWAYS.contains(name);
            boolean set = e.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG;
            boolean appendTime = name.equals(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG)
                    && e.value().equals("LogAppendTime");
            if (always || set || appendTime) {
                result.put(name, e.value());
            }
        }
        return result;
    }

    /**
     * The changes that turn a stopped mirror into an ordinary topic with its source's configs:
     * what the mirror owned while mirroring set back to the {@link #remembered} source values (or
     * reset where the source does not set them), and the timestamp bounds removed.
     */
    public static List<AlterConfigOp> restore(Map<String, String> remembered, boolean timestampBounds) {
        List<AlterConfigOp> ops = new ArrayList<>();
        for (String name : new TreeSet<>(OVERRIDDEN)) {
            String value = remembered.get(name);
            ops.add(value == null ? new AlterConfigOp(new ConfigEntry(name, ""), AlterConfigOp.OpType.DELETE)
                    : new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET));
        }
        for (String name : new TreeSet<>(mirrorOnly(timestampBounds).keySet())) {
            if (!OVERRIDDEN.contains(name)) {
                ops.add(new AlterConfigOp(new ConfigEntry(name, ""), AlterConfigOp.OpType.DELETE));
            }
        }
        return ops;
    }

    /** The config names this policy syncs. */
    public Set<String> synced() {
        return synced;
    }

    /** What the mirror must carry of the source topic's configs. */
    public Map<String, String> desired(Config source) {
        Map<String, String> desired = new TreeMap<>();
        for (ConfigEntry e : source.entries()) {
            if (e.value() == null || !synced.contains(e.name())) {
                continue;
            }
            if (ALWAYS.contains(e.name()) || e.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG) {
                desired.put(e.name(), e.value());
            }
        }
        return desired;
    }

    /**
     * The changes that make the mirror's synced configs what the source's are while mirroring
     * ({@link #whileMirroring}): set what differs, and remove a topic-level value the source no
     * longer sets. Other configs are left alone.
     */
    public List<AlterConfigOp> alterations(Config source, Config mirror, int maxBatchBytes, boolean timestampBounds) {
        Map<String, String> sourceValues = desired(source);
        Map<String, String> desired = whileMirroring(sourceValues, maxBatchBytes, timestampBounds);
        mirrorOnly(timestampBounds).keySet().forEach(desired::remove);
        Set<String> names = new TreeSet<>(synced);
        names.addAll(desired.keySet());
        List<AlterConfigOp> ops = new ArrayList<>();
        for (String name : names) {
            ConfigEntry current = mirror.get(name);
            String want = desired.get(name);
            boolean setOnMirror = current != null && current.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG;
            if (want != null && (!setOnMirror || !want.equals(current.value()))) {
                ops.add(new AlterConfigOp(new ConfigEntry(name, want), AlterConfigOp.OpType.SET));
            } else if (want == null && setOnMirror) {
                ops.add(new AlterConfigOp(new ConfigEntry(name, ""), AlterConfigOp.OpType.DELETE));
            }
        }
        return ops;
    }

    /**
     * The changes that make an existing topic carry what a mirror of {@code source} carries while it
     * mirrors (a topic that becomes a mirror when its link is reversed): the {@link #alterations}
     * and the {@link #mirrorOnly} timestamp configs.
     */
    public List<AlterConfigOp> asMirror(Config source, Config topic, int maxBatchBytes, boolean timestampBounds) {
        List<AlterConfigOp> ops = new ArrayList<>(alterations(source, topic, maxBatchBytes, timestampBounds));
        mirrorOnly(timestampBounds).forEach((name, value) -> ops.add(new AlterConfigOp(new ConfigEntry(name, value),
                AlterConfigOp.OpType.SET)));
        return ops;
    }

    @Override
    public String toString() {
        return "TopicConfigPolicy" + Arrays.toString(synced.toArray());
    }
}
