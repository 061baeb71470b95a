package io.clusterlink.replication;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.CompressionType;

import io.clusterlink.link.MirrorTopicError;

/**
 * Starts mirror partitions for a copy thread, off that thread: checks the source topic, reads the
 * mirror's end offset once writes of an earlier writer can no longer land, verifies the mirror's
 * last record against the source, aligns offsets (fillers, then deleting them) and skips records
 * the source deleted, and picks the compression. Only then does the copy thread write.
 */
interface Starter {

    /** A partition to start; {@code truncatedAt} is the source offset a truncation was reported at, else null. */
    record Request(MirrorPartition partition, Long truncatedAt) {
    }

    sealed interface Result {
        TopicPartition source();
    }

    /**
     * Verified and aligned: copying continues at {@code next}, written with {@code codec}; null
     * when the source had no records to tell from (the partition starts uncompressed and is
     * started again once it copied some, to choose).
     */
    record Ready(TopicPartition source, long next, long sourceEnd, CompressionType codec) implements Result {
    }

    /** The mirror can no longer be exact. */
    record Failed(TopicPartition source, MirrorTopicError error, String message) implements Result {
    }

    /** Not now ({@code reason} says why): try again later. */
    record Retry(TopicPartition source, String reason) implements Result {
    }

    /** Cancelled before it was done; nothing of it writes to the partition any more. */
    record Cancelled(TopicPartition source) implements Result {
    }

    /** Starts the partitions in the background; each one's result goes to {@code results}, from any thread. */
    void start(List<Request> requests, Consumer<Result> results);

    /** Stops starting a partition; completes once nothing of that start writes to it any more. */
    CompletableFuture<Void> cancel(TopicPartition source);

    /** Stops everything; what is running gives up at its next step. */
    void close();
}
