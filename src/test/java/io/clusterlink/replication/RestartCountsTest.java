package io.clusterlink.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import org.apache.kafka.clients.consumer.LogTruncationException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.record.CompressionType;
import org.junit.jupiter.api.Test;

import io.clusterlink.service.RestartCause;

/**
 * Each time a partition's copy starts again it is counted once, with its cause (the
 * {@code clusterlink_mirror_restarts_total} metric); a removal or a failed mirror is no restart.
 */
class RestartCountsTest extends CopierFixture {

    private static final TopicPartition TP = new TopicPartition(SOURCE, 0);

    @Test
    void aFailedWriteIsCountedOnceAsWriteFailedForEveryPartitionOfTheProducer() throws Exception {
        startedAt(0, 1);
        fetch(0, 0, 1);
        fetch(1, 0);
        MockProducer<byte[], byte[]> first = producer();

        first.errorNext(new NotEnoughReplicasException("not enough replicas"));
        copier.step();
        abortPending(first);
        copier.step();

        assertThat(restarts(0)).containsExactly(Map.entry(RestartCause.WRITE_FAILED, 1L));
        assertThat(restarts(1)).as("its writes failed with the closed producer").containsExactly(
                Map.entry(RestartCause.WRITE_FAILED, 1L));
    }

    @Test
    void aSendRefusedAtOnceIsAWriteFailedRestart() throws Exception {
        startedAt(0);
        producer().sendException = new TimeoutException("buffer full");

        fetch(0, 0);
        copier.step();

        assertThat(restarts(0)).containsExactly(Map.entry(RestartCause.WRITE_FAILED, 1L));
    }

    @Test
    void aTruncatedSourceAndAnOutOfRangePositionAreCountedApart() throws Exception {
        startedAt(0);
        fetch(0, 0, 1, 2);
        while (producer().completeNext()) {
            // acknowledged
        }
        consumer.setPollException(new LogTruncationException(Map.of(TP, 3L), Map.of(TP, new OffsetAndMetadata(1))));
        copier.step();
        copier.step();
        clock.addAndGet(100);
        copier.step();
        ready(0, 1, CompressionType.NONE);

        consumer.setPollException(new OffsetOutOfRangeException(Map.of(TP, 1L)));
        copier.step();
        copier.step();

        assertThat(restarts(0)).containsOnly(Map.entry(RestartCause.SOURCE_TRUNCATED, 1L),
                Map.entry(RestartCause.SOURCE_OUT_OF_RANGE, 1L));
    }

    @Test
    void aSourceThatRefusesToBeReadIsCountedAsSourceRefused() throws Exception {
        startedAt(0);
        consumer.setPollException(new TopicAuthorizationException(Set.of(SOURCE)));

        copier.step();
        copier.step();

        assertThat(restarts(0)).containsExactly(Map.entry(RestartCause.SOURCE_REFUSED, 1L));
    }

    @Test
    void aStartThatIsRetriedAndACodecChosenAfterItsSampleAreCounted() throws Exception {
        copier.add(partition(0, null));
        copier.step();
        results.accept(new Starter.Retry(TP, "the source does not answer"));
        copier.step();
        clock.addAndGet(100);
        copier.step();
        ready(0, 0, null);

        fetch(0, LongStream.range(0, 1_000).toArray());
        while (producer().completeNext()) {
            // acknowledged
        }
        copier.step();

        assertThat(restarts(0)).containsOnly(Map.entry(RestartCause.START_RETRIED, 1L),
                Map.entry(RestartCause.CODEC_CHOSEN, 1L));
    }

    @Test
    void aRemovalAndAFailedMirrorAreNoRestarts() throws Exception {
        startedAt(0, 1);
        fetch(0, 0);
        producer().completeNext();
        copier.remove(Set.of(TP));
        copier.step();

        fetch(1, 0);
        producer().errorNext(new org.apache.kafka.common.InvalidRecordException("Compacted topic cannot accept "
                + "message without key"));
        copier.step();
        copier.step();

        assertThat(failures).hasSize(1);
        assertThat(restarts(0)).isEmpty();
        assertThat(restarts(1)).isEmpty();
    }

    /** The partition's non-zero restart counts, by cause. */
    private Map<RestartCause, Long> restarts(int partition) {
        return Arrays.stream(RestartCause.values()).filter(c -> progress[partition].restarts(c) > 0)
                .collect(Collectors.toMap(c -> c, progress[partition]::restarts));
    }
}
