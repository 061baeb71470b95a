package io.clusterlink.link;

/**
 * Replication progress of one mirror partition: {@code lag} records behind the source end offset
 * seen by the last fetch, {@code lastSourceFetchOffset} (-1 before the first fetch).
 */
public record PartitionLag(int partition, long lag, long lastSourceFetchOffset) {
}
