package io.clusterlink.link;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Typed, defaulted view of a link's configs. */
public final class LinkSettings {

    private final Map<String, String> configs;

    LinkSettings(Map<String, String> configs) {
        this.configs = Map.copyOf(configs);
    }

    private String get(String name) {
        return LinkConfigs.effective(configs, name);
    }

    public String bootstrapServers() {
        return configs.get(LinkConfigs.BOOTSTRAP_SERVERS);
    }

    public Optional<String> prefix() {
        return Optional.ofNullable(configs.get(LinkConfigs.PREFIX));
    }

    public StartOffsetSpec startOffsetSpec() {
        return StartOffsetSpec.parse(get(LinkConfigs.START_OFFSET_SPEC));
    }

    public boolean paused() {
        return Boolean.parseBoolean(get(LinkConfigs.PAUSED));
    }

    public int fetchers() {
        return Integer.parseInt(get(LinkConfigs.FETCHERS).trim());
    }

    /** Replication bytes per second the link may copy; {@code Long.MAX_VALUE} for no bound. */
    public long ioMaxBytesPerSecond() {
        return Long.parseLong(get(LinkConfigs.IO_MAX_BYTES).trim());
    }

    public boolean autoCreateMirrors() {
        return Boolean.parseBoolean(get(LinkConfigs.AUTO_CREATE_ENABLE));
    }

    public boolean consumerOffsetSync() {
        return Boolean.parseBoolean(get(LinkConfigs.OFFSET_SYNC_ENABLE));
    }

    /** How often topic configs and partition counts are synced and auto-create looks for new topics: {@code topic.config.sync.ms}. */
    public long topicSyncIntervalMs() {
        return Long.parseLong(get(LinkConfigs.TOPIC_CONFIG_SYNC_MS).trim());
    }

    /** The parsed {@code auto.create.mirror.topics.filters} (validated at create time). */
    public NameFilters autoCreateFilters() {
        String json = get(LinkConfigs.AUTO_CREATE_FILTERS);
        return NameFilters.parse(json == null || json.isBlank() ? "{\"topicFilters\":[]}" : json,
                NameFilters.TOPIC_FILTERS);
    }

    public boolean aclSync() {
        return Boolean.parseBoolean(get(LinkConfigs.ACL_SYNC_ENABLE));
    }

    /** {@code acl.sync.ms}. */
    public long aclSyncIntervalMs() {
        return Long.parseLong(get(LinkConfigs.ACL_SYNC_MS).trim());
    }

    /** The parsed {@code acl.filters}; empty (matching nothing) when not set. */
    public Optional<AclFilters> aclFilters() {
        String json = get(LinkConfigs.ACL_FILTERS);
        return json == null || json.isBlank() ? Optional.empty() : Optional.of(AclFilters.parse(json));
    }

    /** {@code consumer.offset.sync.ms}. */
    public long offsetSyncIntervalMs() {
        return Long.parseLong(get(LinkConfigs.OFFSET_SYNC_MS).trim());
    }

    /** The parsed {@code consumer.offset.group.filters} (validated at create time). */
    public NameFilters groupFilters() {
        String json = get(LinkConfigs.OFFSET_GROUP_FILTERS);
        return NameFilters.parse(json == null || json.isBlank() ? "{\"groupFilters\":[]}" : json,
                NameFilters.GROUP_FILTERS);
    }

    /** {@code consumer.group.prefix.enable}: synced groups are named {@code cluster.link.prefix} + source name. */
    public boolean groupPrefixEnabled() {
        return Boolean.parseBoolean(get(LinkConfigs.GROUP_PREFIX_ENABLE));
    }

    /** The destination name of a source consumer group. */
    public String destinationGroup(String sourceGroup) {
        return groupPrefixEnabled() ? prefix().orElse("") + sourceGroup : sourceGroup;
    }

    /** Which source topic configs mirrors carry: {@code topic.config.sync.include} (validated at create time). */
    public TopicConfigPolicy topicConfigPolicy() {
        return TopicConfigPolicy.parse(get(LinkConfigs.TOPIC_CONFIG_SYNC_INCLUDE));
    }

    /** {@code availability.check.ms}. */
    public long availabilityCheckMs() {
        return Long.parseLong(get(LinkConfigs.AVAILABILITY_CHECK_MS).trim());
    }

    /** {@code availability.check.consecutive.failure.threshold}. */
    public int availabilityFailureThreshold() {
        return Integer.parseInt(get(LinkConfigs.AVAILABILITY_THRESHOLD).trim());
    }

    /**
     * Properties for Kafka clients that talk to the source: connection and security settings as
     * given (sensitive values decrypted by the caller) plus the fetch tuning.
     */
    public Map<String, Object> sourceClientProperties() {
        Map<String, Object> props = new TreeMap<>(LinkConfigs.tuningProperties(configs));
        configs.forEach((k, v) -> {
            if (LinkConfigs.isClientConfig(k)) {
                props.put(k, v);
            }
        });
        return props;
    }
}
