package io.clusterlink.link;

/**
 * What truncate-and-restore set aside of one partition: the records from {@code offsetTruncatedTo}
 * (the offset the other cluster's mirror stopped at) to the partition's end, {@code messagesTruncated}
 * of them, copied to the recovery topic.
 */
public record PartitionTruncation(int partition, long offsetTruncatedTo, long messagesTruncated) {
}
