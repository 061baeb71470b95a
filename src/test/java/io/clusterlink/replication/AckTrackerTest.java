package io.clusterlink.replication;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.CompressionType;
import org.junit.jupiter.api.Test;

/** Each acknowledgement is checked against the offset the record was written for. */
class AckTrackerTest {

    private static final TopicPartition MIRROR = new TopicPartition("orders", 0);
    private final PartitionProgress progress = new PartitionProgress(0);
    private final Writer writer = new Writer(new MockProducer<>(), 1, CompressionType.NONE, 1 << 20, 0, () -> {});

    private AckTracker tracker(long first) {
        AckTracker acks = new AckTracker(MIRROR, progress, writer, first, () -> {});
        progress.restart(first, acks);
        return acks;
    }

    private static RecordMetadata at(long offset) {
        return new RecordMetadata(MIRROR, offset, 0, 0, 0, 0);
    }

    @Test
    void anAcknowledgementOfADuplicateWithoutAnOffsetCountsAsLandedNotAsAForeignWrite() {
        // A retried batch the broker already had is answered DUPLICATE_SEQUENCE_NUMBER: no offset (-1)
        AckTracker acks = tracker(5);
        acks.sending(5);
        acks.sending(6);

        acks.onCompletion(at(5), null);
        acks.onCompletion(at(-1), null);

        assertThat(acks.failure()).isNull();
        assertThat(writer.failed()).isFalse();
        assertThat(progress.acknowledged()).isEqualTo(7);
    }

    @Test
    void anAcknowledgementAtAnotherOffsetIsADivergenceThatStopsTheWriter() {
        AckTracker acks = tracker(5);
        acks.sending(5);

        acks.onCompletion(at(6), null);

        assertThat(acks.failure().divergence()).isEqualTo("source offset 5 of partition 0 was written at offset 6 "
                + "of the mirror: another client wrote to the mirror topic");
        assertThat(writer.failed()).isTrue();
        assertThat(progress.acknowledged()).isEqualTo(5);
    }
}
