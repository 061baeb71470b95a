package io.clusterlink.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class RecordCopierTest {

    record Write(String key, String value, long timestamp, Headers headers, long expectedOffset) {
        String gap() {
            var h = headers.lastHeader(RecordCopier.GAP_HEADER);
            return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
        }
    }

    private final List<Write> writes = new ArrayList<>();
    private final RecordCopier.Sink sink = (k, v, ts, h, o) -> writes.add(new Write(
            k == null ? null : new String(k, StandardCharsets.UTF_8), v == null ? null : new String(v, StandardCharsets.UTF_8),
            ts, h, o));

    private static ConsumerRecord<byte[], byte[]> record(long offset, String key, String value) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("h", "x".getBytes(StandardCharsets.UTF_8));
        return new ConsumerRecord<>("t", 0, offset, 1000 + offset, TimestampType.CREATE_TIME, -1, -1,
                key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8), headers, Optional.empty());
    }

    @Test
    void copiesAContiguousRecordAtItsOwnOffset() {
        long next = RecordCopier.copy(record(7, "k", "v"), 7, null, sink);

        assertThat(next).isEqualTo(8);
        assertThat(writes).singleElement().satisfies(w -> {
            assertThat(w.expectedOffset()).isEqualTo(7);
            assertThat(w.key()).isEqualTo("k");
            assertThat(w.timestamp()).isEqualTo(1007);
            assertThat(w.gap()).isNull();
            assertThat(w.headers().lastHeader("h")).isNotNull();
        });
    }

    @Test
    void fillsAGapWithMarkedCopiesOfTheNextRecord() {
        long next = RecordCopier.copy(record(10, "k", "v"), 7, null, sink);

        assertThat(next).isEqualTo(11);
        assertThat(writes).extracting(Write::expectedOffset).containsExactly(7L, 8L, 9L, 10L);
        assertThat(writes.subList(0, 3)).allSatisfy(w -> {
            assertThat(w.gap()).isEqualTo("10");
            assertThat(w.key()).isEqualTo("k");
            assertThat(w.headers().lastHeader("h")).isNotNull();
        });
        assertThat(writes.get(3).gap()).isNull();
    }

    @Test
    void writesNothingAtOrBeyondTheStopOffset() {
        long next = RecordCopier.copy(record(5, "k", "v"), 5, 5L, sink);

        assertThat(next).isEqualTo(-1);
        assertThat(writes).isEmpty();
    }

    @Test
    void skipsRecordsAlreadyCopied() {
        long next = RecordCopier.copy(record(3, "k", "v"), 5, null, sink);

        assertThat(next).isEqualTo(5);
        assertThat(writes).isEmpty();
    }

    @Test
    void prefixFillersAreEmptyAndMarked() {
        RecordCopier.fillRange(0, 3, 42, sink);

        assertThat(writes).extracting(Write::expectedOffset).containsExactly(0L, 1L, 2L);
        assertThat(writes).allSatisfy(w -> {
            assertThat(w.key()).isEmpty();
            assertThat(w.value()).isEmpty();
            assertThat(w.gap()).isEqualTo(String.valueOf(w.expectedOffset()));
        });
    }
}
