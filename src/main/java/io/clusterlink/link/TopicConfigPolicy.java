package io.clusterlink.link;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
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
 * While mirroring, the mirror also owns its timestamp configs ({@link #MIRROR_ONLY}) so that the
 * source's record timestamps are kept as they are.
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
    /** Owned by the mirror while it mirrors: source timestamps are kept as they are. */
    public static final Map<String, String> MIRROR_ONLY = Map.of(
            TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "CreateTime",
            "message.timestamp.before.max.ms", String.valueOf(Long.MAX_VALUE),
            "message.timestamp.after.max.ms", String.valueOf(Long.MAX_VALUE));

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
        return ALWAYS.contains(name) || CONFIGURABLE.contains(name) || MIRROR_ONLY.containsKey(name);
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
     * The changes that make the mirror's synced configs equal the source's: set what differs,
     * and remove a topic-level value the source no longer sets. Other configs are left alone.
     */
    public List<AlterConfigOp> alterations(Config source, Config mirror) {
        Map<String, String> desired = desired(source);
        List<AlterConfigOp> ops = new ArrayList<>();
        for (String name : synced) {
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

    @Override
    public String toString() {
        return "TopicConfigPolicy" + Arrays.toString(synced.toArray());
    }
}
