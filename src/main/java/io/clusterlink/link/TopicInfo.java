package io.clusterlink.link;

/**
 * A topic of a destination cluster as the topics API shows it: Confluent's {@code TopicData}
 * without its links. The replication factor is that of its first partition.
 */
public record TopicInfo(String name, boolean internal, int replicationFactor, int partitions) {
}
