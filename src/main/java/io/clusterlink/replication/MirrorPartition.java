package io.clusterlink.replication;

import org.apache.kafka.common.TopicPartition;

/** One partition a copy task replicates: source and mirror partitions, where the mirror starts and stops. */
record MirrorPartition(long mirrorId, TopicPartition source, TopicPartition destination,
        long startOffset, Long stopOffset, PartitionProgress progress) {
}
