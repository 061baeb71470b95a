package io.clusterlink.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import io.clusterlink.link.Fillers;

/**
 * A restart writes only after the mirror's last record was found to be the source's: whatever
 * landed while nothing copied (a foreign write, an overshoot) is caught, not absorbed.
 */
class TailVerifierTest {

    private static ConsumerRecord<byte[], byte[]> record(long offset, String key, String value, long timestamp,
            Long gap) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("h", "x".getBytes(StandardCharsets.UTF_8));
        if (gap != null) {
            headers.add(Fillers.GAP_HEADER, gap.toString().getBytes(StandardCharsets.UTF_8));
        }
        return new ConsumerRecord<>("t", 0, offset, timestamp, TimestampType.CREATE_TIME, -1, -1,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8), headers, Optional.empty());
    }

    private static ConsumerRecord<byte[], byte[]> filler(long offset) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(Fillers.GAP_HEADER, Long.toString(offset).getBytes(StandardCharsets.UTF_8));
        return new ConsumerRecord<>("t", 0, offset, 0, TimestampType.CREATE_TIME, -1, -1, new byte[0], null, headers,
                Optional.empty());
    }

    private static String mismatch(ConsumerRecord<byte[], byte[]> mirror, ConsumerRecord<byte[], byte[]> source,
            long end) {
        return TailVerifier.mismatch(new TailVerifier.Tail(mirror, source), end, 0, 0, false);
    }

    @Test
    void aCopyOfTheSourceRecordAtTheSameOffsetIsTheMirrorsOwn() {
        assertThat(mismatch(record(9, "k9", "v9", 100, null), record(9, "k9", "v9", 100, null), 10)).isNull();
    }

    @Test
    void aRecordThatDiffersFromTheSourceInValueTimestampOrHeadersIsForeign() {
        ConsumerRecord<byte[], byte[]> source = record(9, "k9", "v9", 100, null);

        assertThat(mismatch(record(9, "k9", "intruder", 100, null), source, 10))
                .isEqualTo("the mirror's record at offset 9 differs from the source's");
        assertThat(mismatch(record(9, "k9", "v9", 101, null), source, 10)).isNotNull();
        assertThat(mismatch(record(9, "k9", "v9", 100, 12L), source, 10)).isNotNull();
    }

    @Test
    void aRecordWhereTheSourceHasNoneIsForeignUnlessTheSourceIsCompacted() {
        ConsumerRecord<byte[], byte[]> mirror = record(9, "k9", "v9", 100, null);
        ConsumerRecord<byte[], byte[]> sourceNext = record(11, "k11", "v11", 100, null);

        assertThat(mismatch(mirror, sourceNext, 10)).isEqualTo("the mirror has a record at offset 9 where the "
                + "source has none");
        assertThat(TailVerifier.mismatch(new TailVerifier.Tail(mirror, sourceNext), 10, 0, 0, true)).isNull();
    }

    @Test
    void aGapFillerMustCopyTheNextSourceRecord() {
        ConsumerRecord<byte[], byte[]> next = record(12, "k12", "v12", 100, null);

        assertThat(mismatch(record(9, "k12", "v12", 100, 12L), next, 10)).isNull();
        assertThat(mismatch(record(9, "k12", "other", 100, 12L), next, 10))
                .contains("fills a gap with a copy of source offset 12 that differs from it");
        assertThat(mismatch(record(9, "k12", "v12", 100, 12L), record(10, "k10", "v10", 100, null), 10))
                .contains("but the source has a record at offset 10");
    }

    @Test
    void belowTheStartOffsetOnlyFillersBelong() {
        assertThat(TailVerifier.mismatch(new TailVerifier.Tail(filler(4), null), 5, 100, 100, false)).isNull();
        assertThat(TailVerifier.mismatch(new TailVerifier.Tail(record(4, "k", "v", 1, null), null), 5, 100, 100,
                false)).isEqualTo("the record at offset 4 of the mirror, below its start offset 100, is not a filler");
    }
}
