package io.clusterlink.replication;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Turns the records of one source partition into writes at exactly the same offsets. Offsets with
 * no visible record (compacted away, transaction markers, aborted records) are filled with a copy
 * of the next real record that carries a {@value #GAP_HEADER} header whose value is the offset of
 * the real record it copies. Records at or beyond the stop offset are not written.
 */
final class RecordCopier {

    static final String GAP_HEADER = "clusterlink.gap";
    private static final byte[] EMPTY = new byte[0];

    /** Where writes go; {@code expectedOffset} is the offset the write must land at. */
    interface Sink {
        void write(byte[] key, byte[] value, long timestamp, Headers headers, long expectedOffset);
    }

    private RecordCopier() {
    }

    /**
     * Copies one record after filling any gap before it. Returns the next destination offset, or
     * {@code -1} when the record is at or beyond {@code stopOffset} (nothing written).
     */
    static long copy(ConsumerRecord<byte[], byte[]> record, long next, Long stopOffset, Sink sink) {
        long offset = record.offset();
        if (stopOffset != null && offset >= stopOffset) {
            return -1;
        }
        if (offset < next) {
            return next;
        }
        if (offset > next) {
            Headers fillerHeaders = withGap(record.headers(), offset);
            for (long o = next; o < offset; o++) {
                sink.write(record.key(), record.value(), record.timestamp(), fillerHeaders, o);
            }
        }
        sink.write(record.key(), record.value(), record.timestamp(), record.headers(), offset);
        return offset + 1;
    }

    /**
     * Fillers for offsets {@code [from, to)} that will be deleted right away (prefix alignment,
     * records the source deleted before they were copied): empty key and value.
     */
    static void fillRange(long from, long to, long timestamp, Sink sink) {
        for (long o = from; o < to; o++) {
            sink.write(EMPTY, EMPTY, timestamp, withGap(new RecordHeaders(), o), o);
        }
    }

    static Headers withGap(Headers original, long offset) {
        RecordHeaders headers = new RecordHeaders(original.toArray());
        headers.add(GAP_HEADER, Long.toString(offset).getBytes(StandardCharsets.UTF_8));
        return headers;
    }
}
