package io.clusterlink.replication;

import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The writes of one mirror partition in one attempt (from a start to the next restart), and the
 * callback of each. Writes to a partition are consecutive offsets and an idempotent producer
 * acknowledges them in order, so the n-th acknowledgement must carry the n-th offset; anything
 * else means another writer. An acknowledgement without an offset ({@code DUPLICATE_SEQUENCE_NUMBER}:
 * the broker had the batch already but no longer its offset) counts as landing where it should;
 * the next start verifies the tail anyway.
 */
final class AckTracker implements Callback {

    /** The first write of the attempt that failed or landed elsewhere. */
    record Failure(long offset, Exception error, String divergence) {
    }

    private final TopicPartition destination;
    private final PartitionProgress progress;
    private final Writer writer;
    private final Runnable wake;
    private final AtomicInteger pending = new AtomicInteger();
    /** Next offset to be sent: copy thread only. */
    private long sendNext;
    /** Next offset to be acknowledged: producer I/O thread only. */
    private long expected;
    private volatile Failure failure;

    AckTracker(TopicPartition destination, PartitionProgress progress, Writer writer, long first, Runnable wake) {
        this.destination = destination;
        this.progress = progress;
        this.writer = writer;
        this.sendNext = first;
        this.expected = first;
        this.wake = wake;
    }

    TopicPartition destination() {
        return destination;
    }

    Writer writer() {
        return writer;
    }

    /** The next offset this attempt writes. */
    long next() {
        return sendNext;
    }

    void sending(long offset) {
        if (offset != sendNext) {
            throw new IllegalStateException("write for offset " + offset + " of " + destination
                    + " is out of sequence: expected " + sendNext);
        }
        sendNext++;
        pending.incrementAndGet();
    }

    /** The producer refused the last record at once; nothing after it will be sent in this attempt. */
    void notSent() {
        sendNext--;
        pending.decrementAndGet();
        progress.attemptFailed();
    }

    int pending() {
        return pending.get();
    }

    Failure failure() {
        return failure;
    }

    /** Nothing in flight and nothing failed: everything sent is on the mirror where it belongs. */
    boolean clean() {
        return pending.get() == 0 && failure == null;
    }

    @Override
    public void onCompletion(RecordMetadata metadata, Exception error) {
        long offset = expected++;
        try {
            if (error != null) {
                // The write may still be on its way (a request timeout, a forced close): not quiet.
                progress.quiet(false);
                fail(new Failure(offset, error, null));
                writer.fail(error);
            } else if (metadata.hasOffset() && metadata.offset() != offset) {
                fail(new Failure(offset, null, "source offset " + offset + " of partition " + destination.partition()
                        + " was written at offset " + metadata.offset()
                        + " of the mirror: another client wrote to the mirror topic"));
                writer.fail(null);
            } else if (failure == null) {
                progress.acknowledged(offset + 1, Math.max(0, metadata.serializedKeySize())
                        + Math.max(0, metadata.serializedValueSize()));
            }
        } finally {
            pending.decrementAndGet();
            wake.run();
        }
    }

    private void fail(Failure f) {
        if (failure == null) {
            failure = f;
        }
        progress.attemptFailed();
    }
}
