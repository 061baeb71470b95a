package io.clusterlink.replication;

import org.apache.kafka.common.TopicPartition;

/**
 * One partition a copy thread replicates: source and mirror partitions, the source topic id the
 * mirror was made from, where the mirror starts and where it stops (promote), and its progress.
 */
record MirrorPartition(long mirrorId, TopicPartition source, TopicPartition destination, String sourceTopicId,
        long startOffset, Long stopOffset, PartitionProgress progress) {
}
