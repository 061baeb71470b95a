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

    public boolean autoCreateMirrors() {
        return Boolean.parseBoolean(get(LinkConfigs.AUTO_CREATE_ENABLE));
    }

    public boolean consumerOffsetSync() {
        return Boolean.parseBoolean(get(LinkConfigs.OFFSET_SYNC_ENABLE));
    }

    /** How often auto-create looks for new source topics: {@code topic.config.sync.ms}. */
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
