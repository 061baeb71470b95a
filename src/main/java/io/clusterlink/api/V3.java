package io.clusterlink.api;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The v3 JSON shapes (snake_case names come from the Jackson naming strategy). */
public final class V3 {

    private V3() {
    }

    public record Metadata(String self, @JsonInclude(JsonInclude.Include.ALWAYS) String resourceName) {
    }

    public record ListMetadata(String self, @JsonInclude(JsonInclude.Include.ALWAYS) String next) {
    }

    public record Related(String related) {
    }

    public record ResourceList<T>(String kind, ListMetadata metadata, List<T> data) {
    }

    public record Error(int errorCode, String message) {
    }

    /**
     * {@code bootstrap_servers} is clusterlink's own: the bootstrap servers the service has for the
     * cluster, so that a client naming a cluster by its brokers (the command line tools'
     * {@code --bootstrap-server}) finds its id.
     */
    public record Cluster(String kind, Metadata metadata, String clusterId, Related links, Related topics,
            String bootstrapServers) {
    }

    public record ConfigData(String name, String value) {
    }

    public record CreateLinkRequest(String sourceClusterId, String destinationClusterId, String remoteClusterId,
            String clusterLinkId, List<ConfigData> configs) {
    }

    public record LinkTaskError(String errorCode, String errorMessage) {
    }

    public record LinkTask(String taskName, String state, List<LinkTaskError> errors) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record LinkData(String kind, Metadata metadata, String sourceClusterId, String destinationClusterId,
            String remoteClusterId, String linkName, String linkId, String clusterLinkId, List<String> topicNames,
            String linkState, String linkError, String linkErrorMessage, Boolean readOnlyEnforced,
            String readOnlyMessage, @JsonInclude(JsonInclude.Include.NON_NULL) List<LinkTask> tasks,
            List<LinkCategory> categoryCounts) {
    }

    /** Mirror partitions of a link in one state category ({@code ACTIVE, PAUSED, IN_ERROR, PENDING, NOT_APPLICABLE}). */
    public record LinkCategory(String stateCategory, int count) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record LinkConfigData(String kind, Metadata metadata, String clusterId, String name, String value,
            boolean isDefault, boolean isReadOnly, boolean isSensitive, String source, List<String> synonyms,
            String linkName) {
    }

    public record UpdateConfigRequest(String value) {
    }

    public record AlterConfig(String name, String value, String operation) {
    }

    public record AlterConfigBatchRequest(List<AlterConfig> data, Boolean validateOnly) {
    }

    public record CreateMirrorRequest(String sourceTopicName, String mirrorTopicName, Integer replicationFactor,
            List<ConfigData> configs) {
    }

    /**
     * Confluent's {@code MirrorLag}, and the progress of long work where it applies (left out
     * otherwise): {@code alignment_filled_offsets} of {@code alignment_target_offset} while the
     * partition aligns its offsets; {@code stop_offset} while a promote copies up to it ({@code lag}
     * is then what is left to copy).
     */
    public record MirrorLag(int partition, long lag, long lastSourceFetchOffset,
            @JsonInclude(JsonInclude.Include.NON_NULL) Long alignmentFilledOffsets,
            @JsonInclude(JsonInclude.Include.NON_NULL) Long alignmentTargetOffset,
            @JsonInclude(JsonInclude.Include.NON_NULL) Long stopOffset) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record MirrorData(String kind, Metadata metadata, String linkName, String mirrorTopicName,
            String sourceTopicName, int numPartitions, List<MirrorLag> mirrorLags, String mirrorStatus,
            String mirrorTopicError, String mirrorStatusMessage, long stateTimeMs,
            @JsonInclude(JsonInclude.Include.NON_NULL) List<LinkTaskError> mirrorStateTransitionErrors) {
    }

    /** Confluent's {@code TopicData}: a topic of a destination cluster. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record TopicData(String kind, Metadata metadata, String clusterId, String topicName, boolean isInternal,
            int replicationFactor, int partitionsCount, Related partitions, Related configs,
            Related partitionReassignments) {
    }

    public record AlterMirrorsRequest(List<String> mirrorTopicNames, String mirrorTopicNamePattern) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record AlterMirrorsData(String kind, Metadata metadata, String mirrorTopicName, Integer errorCode,
            String errorMessage, List<MirrorLag> mirrorLags, Long messagesTruncated) {
    }
}
