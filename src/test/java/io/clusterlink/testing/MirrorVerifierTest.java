package io.clusterlink.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class MirrorVerifierTest {

    private static final long TIMESTAMP = 1_700_000_000_000L;

    @Test
    void identicalLogsPassAndCountComparedRecords() {
        // Given
        List<ConsumerRecord<byte[], byte[]>> records = List.of(
                record(0, "k0", "v0", "h", "a"),
                record(1, null, "v1"),
                record(2, "k2", null));

        // When
        MirrorVerifier.Result result = MirrorVerifier.compare("t", List.of(log(0, 0, 3, records)),
                List.of(log(0, 0, 3, records)));

        // Then
        assertThat(result.recordsCompared()).isEqualTo(3);
        assertThat(result.fillers()).isZero();
        assertThat(result.mirrorLogStartOffsets()).containsExactly(java.util.Map.entry(0, 0L));
    }

    @Test
    void fillersWithTheGapHeaderStandInForInvisibleSourceOffsets() {
        // Given: offsets 1 and 3 hold no visible source record (compacted, a commit marker)
        List<ConsumerRecord<byte[], byte[]>> source = List.of(record(0, "k", "v0"), record(2, "k", "v2"));
        List<ConsumerRecord<byte[], byte[]>> mirror = List.of(
                record(0, "k", "v0"),
                record(1, "k", "v2", MirrorVerifier.GAP_HEADER, "1"),
                record(2, "k", "v2"),
                record(3, "k", "v2", MirrorVerifier.GAP_HEADER, "3"));

        // When
        MirrorVerifier.Result result = MirrorVerifier.compare("t", List.of(log(0, 0, 4, source)),
                List.of(log(0, 0, 4, mirror)));

        // Then
        assertThat(result.recordsCompared()).isEqualTo(2);
        assertThat(result.fillers()).isEqualTo(2);
    }

    @Test
    void sourceRecordsBeforeTheMirrorLogStartAreNotRequired() {
        // Given: the mirror started at offset 2
        List<ConsumerRecord<byte[], byte[]>> source = List.of(record(0, "k", "v0"), record(1, "k", "v1"),
                record(2, "k", "v2"));

        // When
        MirrorVerifier.Result result = MirrorVerifier.compare("t",
                List.of(log(0, 0, 3, source)), List.of(log(0, 2, 3, List.of(record(2, "k", "v2")))));

        // Then
        assertThat(result.recordsCompared()).isEqualTo(1);
        assertThat(result.mirrorLogStartOffsets()).containsEntry(0, 2L);
    }

    @Test
    void mirrorRecordsBeforeTheSourceLogStartAreCountedNotCompared() {
        // Given: the source deleted offsets 0 and 1 after they were mirrored
        List<ConsumerRecord<byte[], byte[]>> mirror = List.of(record(0, "k", "v0"), record(1, "k", "v1"),
                record(2, "k", "v2"));

        // When
        MirrorVerifier.Result result = MirrorVerifier.compare("t",
                List.of(log(0, 2, 3, List.of(record(2, "k", "v2")))), List.of(log(0, 0, 3, mirror)));

        // Then
        assertThat(result.recordsCompared()).isEqualTo(1);
        assertThat(result.partitions().get(0).recordsBeforeSourceStart()).isEqualTo(2);
    }

    @Test
    void differentValueFailsNamingPartitionOffsetAndValues() {
        List<PartitionLog> source = List.of(log(0, 0, 2, List.of(record(0, "k", "v0"), record(1, "k", "v1"))));
        List<PartitionLog> mirror = List.of(log(0, 0, 2, List.of(record(0, "k", "v0"), record(1, "k", "other"))));

        assertThatThrownBy(() -> MirrorVerifier.compare("t", source, mirror))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("partition 0 offset 1: value differs (source \"v1\", mirror \"other\")");
    }

    @Test
    void differentKeyAndTimestampFail() {
        ConsumerRecord<byte[], byte[]> mirrored = new ConsumerRecord<>("t", 0, 0, TIMESTAMP + 1,
                TimestampType.CREATE_TIME,
                -1, -1, "other".getBytes(UTF_8), "v".getBytes(UTF_8), new RecordHeaders(), Optional.empty());

        assertThatThrownBy(() -> MirrorVerifier.compare("t",
                List.of(log(0, 0, 1, List.of(record(0, "k", "v")))), List.of(log(0, 0, 1, List.of(mirrored)))))
                .hasMessageContaining("partition 0 offset 0: key differs (source \"k\", mirror \"other\")")
                .hasMessageContaining("timestamp differs (source " + TIMESTAMP + ", mirror " + (TIMESTAMP + 1) + ")");
    }

    @Test
    void differentHeaderOrderFails() {
        List<PartitionLog> source = List.of(log(0, 0, 1, List.of(record(0, "k", "v", "a", "1", "b", "2"))));
        List<PartitionLog> mirror = List.of(log(0, 0, 1, List.of(record(0, "k", "v", "b", "2", "a", "1"))));

        assertThatThrownBy(() -> MirrorVerifier.compare("t", source, mirror))
                .hasMessageContaining(
                        "partition 0 offset 0: headers differ (source [a=\"1\", b=\"2\"], mirror [b=\"2\", a=\"1\"])");
    }

    @Test
    void shiftedOffsetFails() {
        // Given: the mirror holds the same records one offset later, behind a filler
        List<PartitionLog> source = List
                .of(log(0, 0, 3, List.of(record(0, "k", "v0"), record(1, "k", "v1"), record(2, "k", "v2"))));
        List<PartitionLog> mirror = List.of(log(0, 0, 3, List.of(
                record(0, "k", "v0", MirrorVerifier.GAP_HEADER, "0"), record(1, "k", "v0"), record(2, "k", "v1"))));

        assertThatThrownBy(() -> MirrorVerifier.compare("t", source, mirror))
                .hasMessageContaining("partition 0 offset 0: headers differ")
                .hasMessageContaining("partition 0 offset 1: value differs (source \"v1\", mirror \"v0\")")
                .hasMessageContaining("partition 0 offset 2: value differs (source \"v2\", mirror \"v1\")");
    }

    @Test
    void missingTailFails() {
        List<PartitionLog> source = List
                .of(log(0, 0, 3, List.of(record(0, "k", "v0"), record(1, "k", "v1"), record(2, "k", "v2"))));
        List<PartitionLog> mirror = List.of(log(0, 0, 1, List.of(record(0, "k", "v0"))));

        assertThatThrownBy(() -> MirrorVerifier.compare("t", source, mirror))
                .hasMessageContaining(
                        "partition 0: the mirror ends at offset 1 but the source has records up to offset 2");
    }

    @Test
    void missingRecordInsideTheMirrorFails() {
        List<PartitionLog> source = List.of(log(0, 0, 2, List.of(record(0, "k", "v0"), record(1, "k", "v1"))));
        List<PartitionLog> mirror = List.of(log(0, 0, 2, List.of(record(1, "k", "v1"))));

        assertThatThrownBy(() -> MirrorVerifier.compare("t", source, mirror))
                .hasMessageContaining("partition 0 offset 0: missing in the mirror");
    }

    @Test
    void fillerWithoutGapHeaderFails() {
        List<PartitionLog> source = List.of(log(0, 0, 3, List.of(record(0, "k", "v0"), record(2, "k", "v2"))));
        List<PartitionLog> mirror = List
                .of(log(0, 0, 3, List.of(record(0, "k", "v0"), record(1, "k", "v2"), record(2, "k", "v2"))));

        assertThatThrownBy(() -> MirrorVerifier.compare("t", source, mirror))
                .hasMessageContaining(
                        "partition 0 offset 1: the source has no record here and the mirror record has no clusterlink.gap header");
    }

    @Test
    void mirrorBeyondTheSourceEndFails() {
        // Given: a foreign write on the mirror after the last source offset
        List<PartitionLog> source = List.of(log(0, 0, 1, List.of(record(0, "k", "v0"))));
        List<PartitionLog> mirror = List.of(log(0, 0, 2, List.of(record(0, "k", "v0"), record(1, "k", "foreign"))));

        assertThatThrownBy(() -> MirrorVerifier.compare("t", source, mirror))
                .hasMessageContaining("partition 0: the mirror ends at offset 2, beyond the source end offset 1");
    }

    @Test
    void differentPartitionCountFails() {
        List<PartitionLog> source = List.of(log(0, 0, 0, List.of()), log(1, 0, 0, List.of()));
        List<PartitionLog> mirror = List.of(log(0, 0, 0, List.of()));

        assertThatThrownBy(() -> MirrorVerifier.compare("t", source, mirror))
                .hasMessageContaining("partition count differs: source 2, mirror 1");
    }

    @Test
    void everyProblemIsReportedInOneFailure() {
        List<PartitionLog> source = List.of(log(0, 0, 1, List.of(record(0, "k", "a"))),
                log(1, 0, 1, List.of(record(0, "k", "b"))));
        List<PartitionLog> mirror = List.of(log(0, 0, 1, List.of(record(0, "k", "x"))),
                log(1, 0, 1, List.of(record(0, "k", "y"))));

        assertThatThrownBy(() -> MirrorVerifier.compare("mirror m of s", source, mirror))
                .hasMessageStartingWith("mirror m of s differs from its source (2 problems)")
                .hasMessageContaining("partition 0 offset 0: value differs")
                .hasMessageContaining("partition 1 offset 0: value differs");
    }

    @Test
    void binaryValuesAreShownAsHex() {
        assertThat(MirrorVerifier.describe(new byte[] { 0, (byte) 0xff })).isEqualTo("0x00ff");
        assertThat(MirrorVerifier.describe(null)).isEqualTo("null");
    }

    private static PartitionLog log(int partition, long start, long end, List<ConsumerRecord<byte[], byte[]>> records) {
        return new PartitionLog(partition, start, end, records);
    }

    /** A record at {@code offset} with the given key, value and header name/value pairs. */
    private static ConsumerRecord<byte[], byte[]> record(long offset, String key, String value, String... headers) {
        List<RecordHeader> list = new ArrayList<>();
        for (int i = 0; i < headers.length; i += 2) {
            list.add(new RecordHeader(headers[i], headers[i + 1].getBytes(UTF_8)));
        }
        return new ConsumerRecord<>("t", 0, offset, TIMESTAMP, TimestampType.CREATE_TIME, -1, -1,
                key == null ? null : key.getBytes(UTF_8), value == null ? null : value.getBytes(UTF_8),
                new RecordHeaders(list.toArray(RecordHeader[]::new)), Optional.empty());
    }
}
