package io.clusterlink.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.LogTruncationException;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import io.clusterlink.link.Fillers;

/**
 * The copy loop's failure paths, with Kafka's MockConsumer and MockProducer: nothing lands at a
 * wrong offset, nothing more is sent after a failed write, a failure stays with its partition, and
 * progress never counts what is not on the mirror.
 */
class PartitionCopierTest extends CopierFixture {

    private static final long MB = 1024 * 1024;

    @Test
    void copiesRecordsAtTheirOffsetsAndFillsGapsWithMarkedCopiesOfTheNextRecord() throws Exception {
        startedAt(0);

        fetch(0, 0, 1, 3);

        // offsets 0, 1, then 2 as a filler copying 3 (shown negative), then 3
        assertThat(offsetsSent(producer(), 0)).containsExactly(0L, 1L, -3L, 3L);
        assertThat(new String(producer().history().get(2).headers().lastHeader(Fillers.GAP_HEADER).value(),
                StandardCharsets.UTF_8)).isEqualTo("3");
        assertThat(progress[0].copiedPosition()).isZero();
        while (producer().completeNext()) {
            // acknowledged at offsets 0..3
        }
        assertThat(progress[0].copiedPosition()).isEqualTo(4);
        assertThat(failures).isEmpty();
    }

    @Test
    void afterAFailedWriteNothingMoreIsSentAndThePartitionStartsAgainFromItsVerifiedEnd() throws Exception {
        startedAt(0);
        fetch(0, 0, 1, 2, 3, 4);
        producer().completeNext();
        MockProducer<byte[], byte[]> first = producer();

        first.errorNext(new NotEnoughReplicasException("not enough replicas"));
        copier.step();
        abortPending(first);
        copier.step();
        clock.addAndGet(100);
        copier.step();

        assertThat(first.closed()).isTrue();
        assertThat(progress[0].quiet()).as("aborted writes may still land: the restart waits for a stable end")
                .isFalse();
        assertThat(offsetsSent(first, 0)).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(progress[0].copiedPosition()).isEqualTo(1);
        assertThat(startRequests).hasSize(2);
        assertThat(problems.get(0)).contains("The destination refuses writes to partition 0 of the mirror (source "
                + "offset 1)").contains("not enough replicas");
        ready(0, 1, CompressionType.NONE);
        fetch(0, 1, 2);
        assertThat(offsetsSent(producer(), 0)).containsExactly(1L, 2L);
        assertThat(producer()).isNotSameAs(first);
    }

    @Test
    void aRecordTheDestinationRefusesForGoodFailsTheMirrorButARefusedTimestampIsRetried() throws Exception {
        startedAt(0, 1);
        fetch(0, 0);
        fetch(1, 0);

        // Partition 0: a compacted destination refuses a record without key; partition 1: the
        // topic's timestamp bound (changed on the destination) refuses a record
        producer().errorNext(new InvalidRecordException("Compacted topic cannot accept message without key"));
        producer().errorNext(new InvalidRecordException("Timestamp 5000 of message with offset 0 is out of range. "
                + "The timestamp should be within [1796127561305, 9223372036854775807]"));
        copier.step();

        assertThat(failures).singleElement().asString().startsWith("UNSUPPORTED_MESSAGE_FORMAT: The destination "
                + "refuses the record at source offset 0 of partition 0").contains("without key");
        assertThat(problems.get(1)).contains("The destination refuses writes to partition 1 of the mirror");
        assertThat(progress[1].copiedPosition()).isZero();
        clock.addAndGet(100);
        copier.step();
        assertThat(startRequests.stream().filter(r -> r.partition().source().partition() == 1)).hasSize(2);
        assertThat(startRequests.stream().filter(r -> r.partition().source().partition() == 0)).hasSize(1);
    }

    @Test
    void aRefusedWriteIsShownUntilAWriteLandsAgainNotOnlyUntilTheNextStart() throws Exception {
        startedAt(0);
        fetch(0, 0, 1);
        MockProducer<byte[], byte[]> first = producer();
        first.errorNext(new NotEnoughReplicasException("not enough replicas"));
        copier.step();
        abortPending(first);
        copier.step();
        clock.addAndGet(100);
        copier.step();
        assertThat(problems.get(0)).contains("not enough replicas");

        ready(0, 0, CompressionType.NONE);
        fetch(0, 0, 1);
        assertThat(problems.get(0)).contains("not enough replicas");

        producer().completeNext();
        copier.step();
        assertThat(problems).doesNotContainKey(0);
    }

    @Test
    void aPromotedPartitionNeverReachesItsStopWhileItsLastWritesFailed() throws Exception {
        progress[0].stopOffset(5L);
        copier.add(partition(0, 5L));
        copier.step();
        ready(0, 0, CompressionType.NONE);
        fetch(0, 0, 1, 2, 3, 4, 5, 6);
        progress[0].sourceEnd(5);
        producer().completeNext();
        producer().completeNext();

        producer().errorNext(new TimeoutException("stuck"));
        abortPending(producer());
        copier.step();

        assertThat(offsetsSent(producer(), 0)).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(progress[0].reachedStop()).isFalse();
        assertThat(progress[0].copiedPosition()).isEqualTo(2);
        assertThat(progress[0].lag().lag()).isEqualTo(3);
    }

    @Test
    void aRecordWithoutTimestampFailsItsMirrorWithTheOffsetAndNothingIsWrittenForIt() throws Exception {
        startedAt(0);
        consumer.addRecord(record(0, 0, "a", 10));
        consumer.addRecord(record(0, 1, "b", -1));

        copier.step();
        producer().completeNext();
        copier.step();

        assertThat(offsetsSent(producer(), 0)).containsExactly(0L);
        assertThat(failures).singleElement().asString().startsWith("UNSUPPORTED_MESSAGE_FORMAT: The record at "
                + "source offset 1 of partition 0 cannot be mirrored: it has no timestamp (-1)");
        assertThat(copier.phases()).doesNotContainKey(new TopicPartition(SOURCE, 0));
    }

    @Test
    void aRecordTooLargeEvenCompressedFailsItsMirrorPrecisely() throws Exception {
        maxBatchBytes = 2000;
        startedAt(0);
        byte[] random = new byte[5000];
        new Random(1).nextBytes(random);
        consumer.addRecord(new ConsumerRecord<>(SOURCE, 0, 0, 10, TimestampType.CREATE_TIME, -1, -1,
                "k0".getBytes(StandardCharsets.UTF_8), random, new RecordHeaders(), Optional.empty()));

        copier.step();
        copier.step();

        assertThat(producer().history()).isEmpty();
        assertThat(failures).singleElement().asString().contains("The record at source offset 0 of partition 0 "
                + "cannot be mirrored: it is ").contains("more than the destination cluster accepts in one request "
                        + "(2000 bytes");
    }

    @Test
    void aRecordThatFitsOnlyCompressedIsWrittenCompressedAfterEarlierWritesLanded() throws Exception {
        maxBatchBytes = 2000;
        startedAt(0);
        fetch(0, 0);
        consumer.addRecord(new ConsumerRecord<>(SOURCE, 0, 1, 10, TimestampType.CREATE_TIME, -1, -1,
                "k1".getBytes(StandardCharsets.UTF_8), new byte[50_000], new RecordHeaders(), Optional.empty()));
        copier.step();
        assertThat(producers.get(CompressionType.ZSTD)).isNull();

        producer().completeNext();
        copier.step();
        consumer.addRecord(new ConsumerRecord<>(SOURCE, 0, 1, 10, TimestampType.CREATE_TIME, -1, -1,
                "k1".getBytes(StandardCharsets.UTF_8), new byte[50_000], new RecordHeaders(), Optional.empty()));
        copier.step();

        assertThat(offsetsSent(producer(), 0)).containsExactly(0L);
        MockProducer<byte[], byte[]> zstd = producers.get(CompressionType.ZSTD).get(0);
        assertThat(zstd.history()).singleElement().satisfies(r -> assertThat(r.value()).hasSize(50_000));
        assertThat(failures).isEmpty();
    }

    @Test
    void aWriteAcknowledgedAtAnotherOffsetFailsTheMirrorAndStopsTheWriter() throws Exception {
        copier.add(partition(0, null));
        copier.step();
        ready(0, 5, CompressionType.NONE);
        fetch(0, 5, 6);

        producer().completeNext();
        abortPending(producer());
        copier.step();

        assertThat(failures).singleElement().asString().isEqualTo("ILLEGAL_STATE: source offset 5 of partition 0 "
                + "was written at offset 0 of the mirror: another client wrote to the mirror topic");
        assertThat(producer().closed()).isTrue();
    }

    @Test
    void aFailedPartitionDoesNotStopTheOthersOfItsThread() throws Exception {
        startedAt(0, 1);
        consumer.addRecord(record(0, 0, "bad", -1));
        consumer.addRecord(record(1, 0, "good", 10));
        copier.step();
        producer().completeNext();
        copier.step();

        fetch(1, 1, 2);
        while (producer().completeNext()) {
            // partition 1 keeps copying
        }

        assertThat(failures).singleElement().asString().startsWith("UNSUPPORTED_MESSAGE_FORMAT");
        assertThat(offsetsSent(producer(), 1)).containsExactly(0L, 1L, 2L);
        assertThat(progress[1].copiedPosition()).isEqualTo(3);
    }

    @Test
    void aSendRefusedAtOnceRestartsOnlyItsPartitionAndKeepsTheProducer() throws Exception {
        startedAt(0);
        fetch(0, 0);
        producer().sendException = new TimeoutException("buffer full");

        fetch(0, 1, 2);
        producer().sendException = null;
        producer().completeNext();
        copier.step();
        clock.addAndGet(100);
        copier.step();

        assertThat(producer().closed()).isFalse();
        assertThat(offsetsSent(producer(), 0)).containsExactly(0L);
        assertThat(startRequests).hasSize(2);
        assertThat(problems.get(0)).contains("did not take the record at source offset 1");
    }

    @Test
    void aTruncatedSourceStartsThePartitionAgainWithTheDivergentOffset() throws Exception {
        startedAt(0);
        fetch(0, 0, 1, 2);
        while (producer().completeNext()) {
            // acknowledged
        }
        TopicPartition tp = new TopicPartition(SOURCE, 0);
        consumer.setPollException(new LogTruncationException(Map.of(tp, 3L), Map.of(tp, new OffsetAndMetadata(1))));

        copier.step();
        copier.step();
        clock.addAndGet(100);
        copier.step();

        assertThat(startRequests).last().satisfies(r -> assertThat(r.truncatedAt()).isEqualTo(1L));
    }

    @Test
    void anOutOfRangePositionStartsThePartitionAgain() throws Exception {
        startedAt(0);
        consumer.setPollException(new OffsetOutOfRangeException(Map.of(new TopicPartition(SOURCE, 0), 0L)));

        copier.step();
        copier.step();
        clock.addAndGet(100);
        copier.step();

        assertThat(startRequests).hasSize(2);
        assertThat(startRequests.get(1).truncatedAt()).isNull();
    }

    @Test
    void aPartitionWhoseWritesWereAllAcknowledgedStaysQuiet() throws Exception {
        progress[0].quiet(true);
        startedAt(0);
        fetch(0, 0, 1);
        producer().completeNext();
        producer().completeNext();

        CompletableFuture<Void> removal = copier.remove(Set.of(new TopicPartition(SOURCE, 0)));
        copier.step();

        assertThat(removal).isDone();
        assertThat(progress[0].quiet()).isTrue();
    }

    @Test
    void aPartitionTakenFromAVanishedWriterIsQuietOnceItsStartFencedIt() throws Exception {
        assertThat(progress[0].quiet()).isFalse();
        startedAt(0);

        assertThat(progress[0].quiet()).as("the start waited for a stable end: nothing of the old writer can land")
                .isTrue();
        fetch(0, 0, 1);
        producer().completeNext();
        producer().completeNext();
        CompletableFuture<Void> removal = copier.remove(Set.of(new TopicPartition(SOURCE, 0)));
        copier.step();

        assertThat(removal).isDone();
        assertThat(progress[0].quiet()).as("handed on without a fence: the next owner starts at once").isTrue();
    }

    @Test
    void aPartitionStillStartingOrAligningDoesNotHoldUpTheOthersOfItsThread() throws Exception {
        // Partition 0's start (verification, alignment) has not answered; partition 1 is started
        copier.add(partition(0, null));
        copier.add(partition(1, null));
        copier.step();
        ready(1, 0, CompressionType.NONE);

        fetch(1, 0, 1, 2);

        assertThat(offsetsSent(producer(), 1)).containsExactly(0L, 1L, 2L);
        assertThat(consumer.assignment()).containsExactly(new TopicPartition(SOURCE, 1));
    }

    @Test
    void aRemovalCompletesOnlyOnceNothingIsInFlight() throws Exception {
        startedAt(0);
        fetch(0, 0, 1);

        CompletableFuture<Void> removal = copier.remove(Set.of(new TopicPartition(SOURCE, 0)));
        copier.step();
        copier.step();
        assertThat(removal).isNotDone();
        assertThat(consumer.assignment()).isEmpty();
        producer().completeNext();
        producer().completeNext();
        copier.step();

        assertThat(removal).isDone();
        assertThat(offsetsSent(producer(), 0)).containsExactly(0L, 1L);
    }

    @Test
    void recordsAfterASilenceWaitForATopicIdCheck() throws Exception {
        startedAt(0);
        fetch(0, 0);
        clock.addAndGet(SILENCE.toMillis() + 1);
        topicIds = Map.of(SOURCE, "id-of-a-new-topic");

        fetch(0, 1, 2);
        clock.addAndGet(1);
        copier.step();
        copier.step();

        assertThat(offsetsSent(producer(), 0)).containsExactly(0L);
        producer().completeNext();
        copier.step();
        assertThat(failures).singleElement().asString().isEqualTo("SOURCE_TOPIC_ID_CHANGED: Source topic 'orders' "
                + "was deleted and re-created: its topic id is now id-of-a-new-topic, the mirror copied id-1");
    }

    @Test
    void recordsAfterASilenceAreWrittenOnceTheTopicIsTheSame() throws Exception {
        startedAt(0);
        fetch(0, 0);
        clock.addAndGet(SILENCE.toMillis() + 1);

        fetch(0, 1, 2);
        clock.addAndGet(1);
        copier.step();
        consumer.addRecord(record(0, 1, "v1", 5001));
        consumer.addRecord(record(0, 2, "v2", 5002));
        copier.step();

        assertThat(offsetsSent(producer(), 0)).containsExactly(0L, 1L, 2L);
    }

    @Test
    void recordsHeldForATopicCheckAreWrittenWithoutBeingFetchedAgain() throws Exception {
        startedAt(0);
        fetch(0, 0);
        clock.addAndGet(SILENCE.toMillis() + 1);

        fetch(0, 1, 2);
        assertThat(offsetsSent(producer(), 0)).containsExactly(0L);
        clock.addAndGet(1);
        copier.step();
        copier.step();

        assertThat(offsetsSent(producer(), 0)).containsExactly(0L, 1L, 2L);
    }

    @Test
    void writesThatAreNotAcknowledgedForLongAreReported() throws Exception {
        startedAt(0);
        fetch(0, 0, 1);

        clock.addAndGet(31_000);
        copier.step();

        assertThat(problems.get(0)).contains("have not been acknowledged for 31 s (2 records waiting)");
        producer().completeNext();
        producer().completeNext();
        copier.step();
        assertThat(problems).isEmpty();
    }

    @Test
    void aThrottledLinkWritesOnlyWhatItsRateAllowsAndHoldsTheRestOfAFetchBack() throws Exception {
        // Given a partition of a link limited to 1 byte/s, whose bucket starts with 16 KB
        throttle.rate(1);
        startedAt(0);

        // When a fetch brings five records of 10 KB
        for (long o = 0; o < 5; o++) {
            consumer.addRecord(new ConsumerRecord<>(SOURCE, 0, o, 5000 + o, TimestampType.CREATE_TIME, 2, 10_000,
                    ("k" + o).getBytes(StandardCharsets.UTF_8), new byte[10_000], new RecordHeaders(),
                    Optional.empty()));
        }
        copier.step();

        // Then two are written (the second overdraws the bucket), the rest is held back and not
        // counted as fetched, and nothing more is fetched meanwhile
        assertThat(offsetsSent(producer(), 0)).containsExactly(0L, 1L);
        while (producer().completeNext()) {
            // acknowledged
        }
        copier.step();
        assertThat(progress[0].copiedPosition()).isEqualTo(2);
        assertThat(consumer.paused()).contains(new TopicPartition(SOURCE, 0));

        // and once the limit is lifted, the held records follow at their offsets
        throttle.rate(Throttle.UNLIMITED);
        copier.step();
        assertThat(offsetsSent(producer(), 0)).containsExactly(0L, 1L, 2L, 3L, 4L);
        while (producer().completeNext()) {
            // acknowledged
        }
        copier.step();
        assertThat(progress[0].copiedPosition()).isEqualTo(5);
        assertThat(failures).isEmpty();
    }

    @Test
    void noPartitionIsFetchedWhileTheInstancesWriteBudgetIsUsedUp() throws Exception {
        // Given a copying partition
        startedAt(0);
        assertThat(consumer.paused()).isEmpty();

        // When the producers of all links hold all the writes the instance's budget allows
        budgetFull = true;
        copier.step();

        // Then it stops fetching, and fetches again once there is room
        assertThat(consumer.paused()).contains(new TopicPartition(SOURCE, 0));
        budgetFull = false;
        copier.step();
        assertThat(consumer.paused()).isEmpty();
    }

    @Test
    void whenItsShareOfTheBudgetHalvesAThreadMovesItsPartitionsToSmallerClientsWithoutLosingARecord()
            throws Exception {
        // Given two partitions copying with a producer of 8 MB and a consumer of 4 MB fetches
        bufferShare = 8 * MB;
        fetchShare = (int) (4 * MB);
        copier.open();
        startedAt(0, 1);
        fetch(0, 0, 1);
        MockProducer<byte[], byte[]> first = producer();
        MockConsumer<byte[], byte[]> firstConsumer = consumer;

        // When more links come and the thread's share falls to a quarter
        bufferShare = 2 * MB;
        fetchShare = (int) MB;
        clock.addAndGet(2_000);
        copier.step();

        // Then the consumer is made again at the new size and nothing is sent before the writes in
        // flight landed
        assertThat(consumersMade).hasSize(3).last().isSameAs(consumer);
        assertThat(firstConsumer.closed()).isTrue();
        copier.step();
        assertThat(consumer.assignment()).doesNotContain(new TopicPartition(SOURCE, 0));
        assertThat(first.closed()).isFalse();
        first.completeNext();
        first.completeNext();
        copier.step();

        // and the partitions continue, each at its next offset, on a new producer of the new size,
        // while the old one is closed
        fetch(0, 2, 3);
        fetch(1, 0);
        MockProducer<byte[], byte[]> second = producer();
        assertThat(second).isNotSameAs(first);
        assertThat(producerBuffers).containsExactly(8 * MB, 2 * MB);
        assertThat(first.closed()).isTrue();
        assertThat(offsetsSent(first, 0)).containsExactly(0L, 1L);
        assertThat(offsetsSent(second, 0)).containsExactly(2L, 3L);
        assertThat(offsetsSent(second, 1)).containsExactly(0L);
        assertThat(failures).isEmpty();
    }

    @Test
    void clientsKeepTheirSizeWhileTheShareChangesLessThanTwofold() throws Exception {
        bufferShare = 8 * MB;
        fetchShare = (int) (4 * MB);
        copier.open();
        startedAt(0);
        fetch(0, 0);
        producer().completeNext();

        bufferShare = 5 * MB;
        fetchShare = (int) (3 * MB);
        clock.addAndGet(1_100);
        copier.step();

        assertThat(producerBuffers).containsExactly(8 * MB);
        assertThat(consumersMade).hasSize(2);
        assertThat(copier.phases()).containsEntry(new TopicPartition(SOURCE, 0), PartitionCopier.Phase.COPYING);
    }

    @Test
    void aPartitionWhoseCodecWasStillToChooseStartsAgainAtOnceAfterItsSample() throws Exception {
        // Given a partition started before its source had records to tell its compression from
        copier.add(partition(0, null));
        copier.step();
        ready(0, 0, null);

        // When it copied enough records to choose, and all of them landed
        fetch(0, java.util.stream.LongStream.range(0, 1_000).toArray());
        while (producer().completeNext()) {
            // each write is acknowledged
        }
        copier.step();

        // Then it is started again at once, not after a fence interval as after a failure
        assertThat(startRequests).hasSize(2);
        assertThat(offsetsSent(producer(), 0)).hasSize(1_000);
        assertThat(failures).isEmpty();
    }
}
