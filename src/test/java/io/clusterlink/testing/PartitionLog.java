package io.clusterlink.testing;

import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * One partition as read: its log start offset, the end offset the read stopped at (the last stable
 * offset under {@code read_committed}) and the records between them, in offset order.
 */
public record PartitionLog(int partition, long startOffset, long endOffset,
        List<ConsumerRecord<byte[], byte[]>> records) {

    public PartitionLog {
        records = List.copyOf(records);
    }
}
