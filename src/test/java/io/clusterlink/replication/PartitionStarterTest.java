package io.clusterlink.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.record.CompressionType;
import org.junit.jupiter.api.Test;

import io.clusterlink.link.MirrorTopicError;

/**
 * What a (re)start refuses before it reads a record: a mirror it cannot continue exactly, because
 * the source changed under it or the mirror holds more than the source.
 */
class PartitionStarterTest {

    private static final Uuid TOPIC_ID = Uuid.randomUuid();
    private static final TopicPartition SOURCE = new TopicPartition("orders", 0);
    private static final TopicPartition MIRROR = new TopicPartition("orders", 0);
    private static final Node NODE = new Node(1, "localhost", 9092);

    private static TopicDescription source(Uuid id, int partitions) {
        List<TopicPartitionInfo> infos = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            infos.add(new TopicPartitionInfo(p, NODE, List.of(NODE), List.of(NODE)));
        }
        return new TopicDescription("orders", false, infos, Set.of(), id);
    }

    private static Starter.Request request(Long truncatedAt) {
        return new Starter.Request(new MirrorPartition(1, SOURCE, MIRROR, TOPIC_ID.toString(), 0, null,
                new PartitionProgress(0)), truncatedAt);
    }

    private static Starter.Result check(Starter.Request r, TopicDescription source, long mirrorEnd, long sourceEnd,
            long sourceStable) {
        return PartitionStarter.check(r, source, Set.of(), Map.of(MIRROR, mirrorEnd), Map.of(SOURCE, sourceEnd),
                Map.of(SOURCE, sourceStable));
    }

    @Test
    void aMirrorWithinTheSourceStarts() {
        assertThat(check(request(null), source(TOPIC_ID, 1), 10, 20, 20)).isNull();
    }

    @Test
    void aSourceTruncatedBelowWhatWasCopiedFailsTheMirrorWithTheDivergentOffset() {
        Starter.Result r = check(request(7L), source(TOPIC_ID, 1), 10, 10, 10);

        assertThat(r).isInstanceOf(Starter.Failed.class);
        assertThat(((Starter.Failed) r).error()).isEqualTo(MirrorTopicError.UNEXPECTED_TRUNCATION);
        assertThat(((Starter.Failed) r).message()).contains("diverges from the mirror at offset 7");
    }

    @Test
    void aSourceThatEndsBelowTheMirrorFailsItAsTruncated() {
        Starter.Result r = check(request(null), source(TOPIC_ID, 1), 12, 10, 10);

        assertThat(((Starter.Failed) r).error()).isEqualTo(MirrorTopicError.UNEXPECTED_TRUNCATION);
        assertThat(((Starter.Failed) r).message()).contains("ends at offset 10, below the mirror's end offset 12");
    }

    @Test
    void aMirrorBeyondTheSourcesLastStableOffsetWasWrittenByAnotherClient() {
        Starter.Result r = check(request(null), source(TOPIC_ID, 1), 12, 14, 10);

        assertThat(((Starter.Failed) r).error()).isEqualTo(MirrorTopicError.ILLEGAL_STATE);
        assertThat(((Starter.Failed) r).message()).contains("another client wrote to the mirror topic");
    }

    @Test
    void aSourceTopicReCreatedOrShrunkIsRefusedAndAMissingOneWaitedFor() {
        assertThat(((Starter.Failed) check(request(null), source(Uuid.randomUuid(), 1), 0, 0, 0)).error())
                .isEqualTo(MirrorTopicError.SOURCE_TOPIC_ID_CHANGED);
        Starter.Request second = new Starter.Request(new MirrorPartition(1, new TopicPartition("orders", 1),
                new TopicPartition("orders", 1), TOPIC_ID.toString(), 0, null, new PartitionProgress(1)), null);
        assertThat(((Starter.Failed) PartitionStarter.check(second, source(TOPIC_ID, 1), Set.of(), Map.of(), Map.of(),
                Map.of())).error()).isEqualTo(MirrorTopicError.SOURCE_PARTITIONS_DECREASED);
        assertThat(check(request(null), null, 0, 0, 0)).isInstanceOf(Starter.Retry.class);
    }

    @Test
    void aSourcePartitionWhoseOffsetsWereNotAnsweredIsRetriedNotRefused() {
        Starter.Result r = PartitionStarter.check(request(null), source(TOPIC_ID, 1), Set.of(), Map.of(MIRROR, 10L),
                Map.of(), Map.of());

        assertThat(r).isInstanceOf(Starter.Retry.class);
        assertThat(((Starter.Retry) r).reason()).contains("did not answer its offsets");
    }

    @Test
    void aPartitionWhoseSampleCouldNotTellTakesTheCodecMostOfItsTopicCameTo() {
        TopicPartition small = new TopicPartition("orders", 3);
        TopicPartition other = new TopicPartition("payments", 0);
        Map<TopicPartition, CompressionType> estimates = Map.of(new TopicPartition("orders", 0), CompressionType.ZSTD,
                new TopicPartition("orders", 1), CompressionType.ZSTD, new TopicPartition("orders", 2),
                CompressionType.NONE);

        Map<TopicPartition, CompressionType> codecs = PartitionStarter.byTopicWhereUnknown(List.of(
                new TopicPartition("orders", 0), new TopicPartition("orders", 2), small, other), estimates);

        assertThat(codecs).containsEntry(small, CompressionType.ZSTD)
                .containsEntry(new TopicPartition("orders", 2), CompressionType.NONE)
                .doesNotContainKey(other);
    }

    @Test
    void aCodecOnceEstimatedIsKeptForTheLaterStartsOfThePartition() {
        PartitionProgress progress = new PartitionProgress(0);
        progress.estimatedCodec(CompressionType.ZSTD);

        progress.estimatedCodec(null);

        assertThat(progress.estimatedCodec()).isEqualTo(CompressionType.ZSTD);
    }
}
