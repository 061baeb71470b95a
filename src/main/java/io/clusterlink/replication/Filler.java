package io.clusterlink.replication;

import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

import org.apache.kafka.common.TopicPartition;

/**
 * Writes filler records: the smallest record there is (an empty key, no value, no headers), as many
 * as offsets must be taken, compressed in large batches. They are identical, so their order does
 * not matter, only their count; a filler run never writes more than it is asked to, and what it
 * wrote is found from the partition's end offset.
 */
interface Filler extends AutoCloseable {

    /**
     * Appends {@code count} fillers to {@code partition} and returns once each is acknowledged, or
     * earlier when {@code cancelled} says so (then what was sent is acknowledged first).
     *
     * @param written called now and then with the number acknowledged so far
     * @return the number written and acknowledged
     * @throws RuntimeException when writes failed; some may have landed
     */
    long fill(TopicPartition partition, long count, BooleanSupplier cancelled, LongConsumer written);

    @Override
    void close();
}
