package io.clusterlink.api;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.media.SchemaProperty;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The v3 JSON shapes (snake_case names come from the Jackson naming strategy). */
public final class V3 {

    private V3() {
    }

    @Schema(requiredProperties = { "self", "resource_name" },
            properties = @SchemaProperty(name = "resource_name", type = SchemaType.STRING, nullable = true))
    public record Metadata(String self, @JsonInclude(JsonInclude.Include.ALWAYS) String resourceName) {
    }

    @Schema(requiredProperties = { "self", "next" },
            properties = @SchemaProperty(name = "next", type = SchemaType.STRING, nullable = true))
    public record ListMetadata(String self, @JsonInclude(JsonInclude.Include.ALWAYS) String next) {
    }

    @Schema(requiredProperties = "related")
    public record Related(String related) {
    }

    @Schema(requiredProperties = { "kind", "metadata", "data" })
    public record ResourceList<T>(String kind, ListMetadata metadata, List<T> data) {
    }

    public record Error(int errorCode, String message) {
    }

    /**
     * {@code bootstrap_servers} is clusterlink's own: the bootstrap servers the service has for the
     * cluster, so that a client naming a cluster by its brokers (the command line tools'
     * {@code --bootstrap-server}) finds its id.
     */
    @Schema(requiredProperties = { "kind", "metadata", "cluster_id", "links", "topics", "bootstrap_servers" })
    public record Cluster(String kind, Metadata metadata, String clusterId, Related links, Related topics,
            String bootstrapServers) {
    }

    @Schema(requiredProperties = "name",
            properties = @SchemaProperty(name = "value", type = SchemaType.STRING, nullable = true))
    public record ConfigData(String name, String value) {
    }

    public record CreateLinkRequest(String sourceClusterId, String destinationClusterId, String remoteClusterId,
            String clusterLinkId, List<ConfigData> configs) {
    }

    @Schema(requiredProperties = { "error_code", "error_message" })
    public record LinkTaskError(String errorCode, String errorMessage) {
    }

    @Schema(requiredProperties = { "task_name", "state", "errors" },
            properties = @SchemaProperty(name = "state", ref = "LinkTaskState"))
    public record LinkTask(String taskName, String state, List<LinkTaskError> errors) {
    }

    @Schema(requiredProperties = { "kind", "metadata", "source_cluster_id", "destination_cluster_id",
        "remote_cluster_id",
        "link_name", "link_id", "cluster_link_id", "topic_names", "link_state", "link_error", "link_error_message",
        "read_only_enforced", "read_only_message", "category_counts" },
            properties = {
                @SchemaProperty(name = "source_cluster_id", type = SchemaType.STRING, nullable = true),
                @SchemaProperty(name = "destination_cluster_id", type = SchemaType.STRING, nullable = true),
                @SchemaProperty(name = "remote_cluster_id", type = SchemaType.STRING, nullable = true),
                @SchemaProperty(name = "link_state", ref = "LinkState"),
                @SchemaProperty(name = "link_error", ref = "LinkError"),
                @SchemaProperty(name = "link_error_message", type = SchemaType.STRING, nullable = true),
                @SchemaProperty(name = "read_only_enforced", type = SchemaType.BOOLEAN, nullable = true,
                        description = "Whether this service keeps the link's mirror topics read-only on the destination (null: unknown now)"),
                @SchemaProperty(name = "read_only_message", type = SchemaType.STRING, nullable = true) })
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record LinkData(String kind, Metadata metadata, String sourceClusterId, String destinationClusterId,
            String remoteClusterId, String linkName, String linkId, String clusterLinkId, List<String> topicNames,
            String linkState, String linkError, String linkErrorMessage, Boolean readOnlyEnforced,
            String readOnlyMessage, @JsonInclude(JsonInclude.Include.NON_NULL) List<LinkTask> tasks,
            List<LinkCategory> categoryCounts) {
    }

    /** Mirror partitions of a link in one state category ({@code ACTIVE, PAUSED, IN_ERROR, PENDING, NOT_APPLICABLE}). */
    @Schema(requiredProperties = { "state_category", "count" },
            properties = @SchemaProperty(name = "state_category", type = SchemaType.STRING,
                    enumeration = { "ACTIVE", "PAUSED", "IN_ERROR", "PENDING", "NOT_APPLICABLE" }))
    public record LinkCategory(String stateCategory, int count) {
    }

    @Schema(requiredProperties = { "kind", "metadata", "cluster_id", "name", "value", "is_default", "is_read_only",
        "is_sensitive", "source", "synonyms", "link_name" },
            properties = {
                @SchemaProperty(name = "value", type = SchemaType.STRING, nullable = true),
                @SchemaProperty(name = "source", ref = "ConfigSource") })
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record LinkConfigData(String kind, Metadata metadata, String clusterId, String name, String value,
            boolean isDefault, boolean isReadOnly, boolean isSensitive, String source, List<String> synonyms,
            String linkName) {
    }

    @Schema(requiredProperties = "value")
    public record UpdateConfigRequest(String value) {
    }

    @Schema(requiredProperties = "name", properties = {
        @SchemaProperty(name = "value", type = SchemaType.STRING, nullable = true),
        @SchemaProperty(name = "operation", type = SchemaType.STRING, nullable = true,
                enumeration = { "SET", "DELETE" }) })
    public record AlterConfig(String name, String value, String operation) {
    }

    @Schema(requiredProperties = "data")
    public record AlterConfigBatchRequest(List<AlterConfig> data, Boolean validateOnly) {
    }

    @Schema(requiredProperties = "source_topic_name")
    public record CreateMirrorRequest(String sourceTopicName, String mirrorTopicName, Integer replicationFactor,
            List<ConfigData> configs) {
    }

    /**
     * Confluent's {@code MirrorLag}, and the progress of long work where it applies (left out
     * otherwise): {@code alignment_filled_offsets} of {@code alignment_target_offset} while the
     * partition aligns its offsets; {@code stop_offset} while a promote copies up to it ({@code lag}
     * is then what is left to copy).
     */
    @Schema(requiredProperties = { "partition", "lag", "last_source_fetch_offset" })
    public record MirrorLag(int partition, long lag, long lastSourceFetchOffset,
            @JsonInclude(JsonInclude.Include.NON_NULL) Long alignmentFilledOffsets,
            @JsonInclude(JsonInclude.Include.NON_NULL) Long alignmentTargetOffset,
            @JsonInclude(JsonInclude.Include.NON_NULL) Long stopOffset) {
    }

    @Schema(requiredProperties = { "kind", "metadata", "link_name", "mirror_topic_name", "source_topic_name",
        "num_partitions", "mirror_lags", "mirror_status", "mirror_topic_error", "mirror_status_message",
        "state_time_ms" },
            properties = {
                @SchemaProperty(name = "mirror_status", ref = "MirrorTopicStatus"),
                @SchemaProperty(name = "mirror_topic_error", ref = "MirrorTopicError"),
                @SchemaProperty(name = "mirror_status_message", type = SchemaType.STRING, nullable = true,
                        description = "Why the mirror is in its state (a failure, a pending promote), null when there is nothing to say") })
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record MirrorData(String kind, Metadata metadata, String linkName, String mirrorTopicName,
            String sourceTopicName, int numPartitions, List<MirrorLag> mirrorLags, String mirrorStatus,
            String mirrorTopicError, String mirrorStatusMessage, long stateTimeMs,
            @JsonInclude(JsonInclude.Include.NON_NULL) List<LinkTaskError> mirrorStateTransitionErrors) {
    }

    /** Confluent's {@code TopicData}: a topic of a destination cluster. */
    @Schema(requiredProperties = { "kind", "metadata", "cluster_id", "topic_name", "is_internal", "replication_factor",
        "partitions_count", "partitions", "configs", "partition_reassignments" })
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record TopicData(String kind, Metadata metadata, String clusterId, String topicName, boolean isInternal,
            int replicationFactor, int partitionsCount, Related partitions, Related configs,
            Related partitionReassignments) {
    }

    public record AlterMirrorsRequest(List<String> mirrorTopicNames, String mirrorTopicNamePattern) {
    }

    /**
     * A mirror action's result for one topic. {@code messages_truncated} is set by truncate-and-restore
     * (the records set aside, 0 when none), null for the other actions;
     * {@code partition_level_truncation_data} is sent only by truncate-and-restore with
     * {@code include_partition_level_truncation_data=true}.
     */
    @Schema(requiredProperties = { "kind", "metadata", "mirror_topic_name", "error_code", "error_message",
        "mirror_lags",
        "messages_truncated" },
            properties = {
                @SchemaProperty(name = "error_code", type = SchemaType.INTEGER, format = "int32", nullable = true),
                @SchemaProperty(name = "error_message", type = SchemaType.STRING, nullable = true),
                @SchemaProperty(name = "messages_truncated", type = SchemaType.INTEGER, format = "int64",
                        nullable = true,
                        description = "truncate-and-restore: the records set aside in the recovery topic, in all "
                                + "partitions; null for the other actions"),
                @SchemaProperty(name = "partition_level_truncation_data",
                        description = "truncate-and-restore with include_partition_level_truncation_data=true: what "
                                + "was set aside per partition; absent otherwise") })
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record AlterMirrorsData(String kind, Metadata metadata, String mirrorTopicName, Integer errorCode,
            String errorMessage, List<MirrorLag> mirrorLags, Long messagesTruncated,
            @JsonInclude(JsonInclude.Include.NON_NULL) List<PartitionLevelTruncationData> partitionLevelTruncationData) {
    }

    /**
     * Confluent's {@code PartitionLevelTruncationData}: the offset a partition was truncated to (the
     * other cluster's stop offset) and the records from there that were set aside.
     */
    @Schema(requiredProperties = { "partition_id", "offset_truncated_to", "messages_truncated" })
    public record PartitionLevelTruncationData(int partitionId, long offsetTruncatedTo, long messagesTruncated) {
    }
}
