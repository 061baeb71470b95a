package io.clusterlink.replication;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.CompressionType;
import org.junit.jupiter.api.Test;

class PartitionProgressTest {

    private static final TopicPartition TP = new TopicPartition("t", 0);

    private final PartitionProgress progress = new PartitionProgress(0);
    private final Writer writer = new Writer(new org.apache.kafka.clients.producer.MockProducer<>(), 1,
            CompressionType.NONE, 1 << 20, 0, () -> {});

    private AckTracker attempt(long from) {
        AckTracker acks = new AckTracker(TP, progress, writer, from, () -> {});
        progress.restart(from, acks);
        return acks;
    }

    private static RecordMetadata at(long offset) {
        return new RecordMetadata(TP, offset, 0, 0, 0, 0);
    }

    @Test
    void positionIsTheAcknowledgedEndWhileWritesAreInFlight() {
        AckTracker acks = attempt(10);
        acks.sending(10);
        acks.sending(11);
        progress.fetchedUpTo(12);
        progress.sourceEnd(20);

        assertThat(progress.copiedPosition()).isEqualTo(10);
        acks.onCompletion(at(10), null);
        assertThat(progress.copiedPosition()).isEqualTo(11);
        acks.onCompletion(at(11), null);
        assertThat(progress.copiedPosition()).isEqualTo(12);
        assertThat(progress.lag().lag()).isEqualTo(8);
        assertThat(progress.lag().lastSourceFetchOffset()).isEqualTo(20);
    }

    @Test
    void trailingNonDataOffsetsCountAsCopiedOnceNothingIsInFlight() {
        attempt(5);
        progress.fetchedUpTo(6);
        progress.sourceEnd(6);

        assertThat(progress.copiedPosition()).isEqualTo(6);
        assertThat(progress.lag().lag()).isZero();
    }

    @Test
    void aFailedWriteKeepsThePositionAtWhatWasAcknowledged() {
        AckTracker acks = attempt(100);
        for (long o = 100; o < 110; o++) {
            acks.sending(o);
        }
        progress.fetchedUpTo(110);
        progress.sourceEnd(110);
        acks.onCompletion(at(100), null);

        acks.onCompletion(null, new org.apache.kafka.common.errors.NotEnoughReplicasException("refused"));
        for (int i = 0; i < 8; i++) {
            acks.onCompletion(null, new org.apache.kafka.common.KafkaException("Producer is closed forcefully."));
        }

        assertThat(acks.pending()).isZero();
        assertThat(progress.copiedPosition()).isEqualTo(101);
        assertThat(progress.lag().lag()).isEqualTo(9);
        assertThat(acks.failure().offset()).isEqualTo(101);
        assertThat(writer.failed()).isTrue();
    }

    @Test
    void aStoppedPartitionCountsOnlyAcknowledgedWrites() {
        AckTracker acks = attempt(0);
        acks.sending(0);
        acks.onCompletion(at(0), null);
        progress.fetchedUpTo(5);
        progress.stopped();

        assertThat(progress.copiedPosition()).isEqualTo(1);
    }

    @Test
    void reachesStopOnlyWhenAlignedAndCopiedUpToIt() {
        progress.stopOffset(5L);
        attempt(3);
        progress.fetchedUpTo(9);
        assertThat(progress.reachedStop()).isFalse();

        progress.aligned(true);
        assertThat(progress.copiedPosition()).isEqualTo(5);
        assertThat(progress.reachedStop()).isTrue();
    }

    @Test
    void anAcknowledgementAtAnotherOffsetIsADivergence() {
        AckTracker acks = attempt(10);
        acks.sending(10);

        acks.onCompletion(at(11), null);

        assertThat(acks.failure().divergence()).isEqualTo(
                "source offset 10 of partition 0 was written at offset 11 of the mirror: another client wrote to the "
                        + "mirror topic");
        assertThat(progress.copiedPosition()).isEqualTo(10);
        assertThat(writer.failed()).isTrue();
    }

    @Test
    void anAcknowledgementWithoutOffsetCountsWhereItWasSent() {
        AckTracker acks = attempt(10);
        acks.sending(10);

        acks.onCompletion(new RecordMetadata(TP, -1, 0, -1, 0, 0), null);

        assertThat(acks.failure()).isNull();
        assertThat(progress.copiedPosition()).isEqualTo(11);
    }

    @Test
    void lagIsUnknownBeforeTheSourceEndIsKnown() {
        PartitionProgress p = new PartitionProgress(2);

        assertThat(p.lag().lag()).isEqualTo(-1);
        assertThat(p.lag().lastSourceFetchOffset()).isEqualTo(-1);
        assertThat(p.lag().partition()).isEqualTo(2);
    }

    @Test
    void aPartitionNotStartedYetLacksEverythingUpToTheSourceEnd() {
        PartitionProgress p = new PartitionProgress(0);
        p.sourceEnd(100);

        assertThat(p.lag().lag()).isEqualTo(100);
        p.startsAt(40);
        assertThat(p.lag().lag()).isEqualTo(60);
    }

    @Test
    void theBytesOfAcknowledgedKeysAndValuesAreCountedAndThoseOfFailedWritesAreNot() {
        AckTracker acks = attempt(0);
        acks.sending(0);
        acks.sending(1);
        acks.sending(2);

        acks.onCompletion(new RecordMetadata(TP, 0, 0, 0, 3, 100), null);
        acks.onCompletion(new RecordMetadata(TP, 1, 0, 0, -1, 50), null);
        acks.onCompletion(null, new org.apache.kafka.common.errors.NotEnoughReplicasException("refused"));

        assertThat(progress.copied()).isEqualTo(2);
        assertThat(progress.copiedBytes()).as("3 + 100, then a null key and 50").isEqualTo(153);
    }

    @Test
    void anAlignmentShowsTheOffsetsItFilledOfItsTargetInTheLagUntilItEnds() {
        progress.sourceEnd(40_000_010);
        progress.startsAt(0);
        progress.aligning(40_000_000, 40_000_000);
        assertThat(progress.lag().alignmentFilledOffsets()).isZero();

        progress.aligning(30_000_000, 40_000_000);
        assertThat(progress.lag()).satisfies(lag -> {
            assertThat(lag.alignmentFilledOffsets()).isEqualTo(10_000_000);
            assertThat(lag.alignmentTargetOffset()).isEqualTo(40_000_000);
            assertThat(lag.isAligning()).isTrue();
        });

        progress.aligning(-1, -1);
        assertThat(progress.lag().isAligning()).isFalse();
        assertThat(progress.lag().alignmentFilledOffsets()).isNull();
    }

    @Test
    void aPromotedPartitionShowsItsStopOffsetAndWhatIsLeftUpToIt() {
        progress.stopOffset(50L);
        progress.sourceEnd(80);
        attempt(30);

        assertThat(progress.lag().stopOffset()).isEqualTo(50);
        assertThat(progress.lag().lag()).isEqualTo(20);
    }
}
