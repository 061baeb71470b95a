package io.clusterlink.replication;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

import io.clusterlink.link.Fillers;

/**
 * Before a mirror partition is written again (a start, a restart after an error, another service
 * instance taking over), its last record is compared with the source: whatever happened while it
 * was not being copied (a foreign write, a write of an earlier writer that landed late, an
 * alignment that overshot, a source that changed) shows there. One fetch per side and partition.
 * <p>
 * The last mirror record at offset {@code e - 1} must be: a copy of the source record at that
 * offset (key, value, timestamp, headers); or, where the source has no visible record there, a
 * gap filler ({@value Fillers#GAP_HEADER}) copying the next source record; below the start
 * offset, a filler. Compaction may since have removed the source's record; on a compacted source
 * a missing record is accepted, a different one is not.
 */
final class TailVerifier {

    /** The mirror's last record, and the source's first visible record at or after its offset (null: none up to the end). */
    record Tail(ConsumerRecord<byte[], byte[]> mirror, ConsumerRecord<byte[], byte[]> source) {
    }

    private TailVerifier() {
    }

    /**
     * Why the mirror's last record does not belong there, or null when it does.
     *
     * @param end the mirror partition's end offset
     * @param start the offset the mirror starts at (records below are fillers)
     * @param sourceStart the source's log start offset: what is below cannot be compared any more
     * @param sourceCompacted whether the source topic is compacted (records may have gone since they were copied)
     */
    static String mismatch(Tail tail, long end, long start, long sourceStart, boolean sourceCompacted) {
        ConsumerRecord<byte[], byte[]> m = tail.mirror();
        long offset = end - 1;
        if (m == null) {
            return null;
        }
        if (offset >= start && offset < sourceStart) {
            return null;
        }
        if (offset < start) {
            return isFiller(m) ? null : "the record at offset " + offset + " of the mirror, below its start offset "
                    + start + ", is not a filler";
        }
        ConsumerRecord<byte[], byte[]> s = tail.source();
        Long copies = gapOf(m);
        if (copies != null && copies != offset) {
            // A gap filler: a copy of the next visible source record, at an offset the source has none.
            if (s == null || s.offset() > copies) {
                return sourceCompacted ? null : "the mirror's last record (offset " + offset + ") fills a gap before "
                        + "source offset " + copies + ", which the source does not have";
            }
            if (s.offset() < copies) {
                return "the mirror's last record (offset " + offset + ") fills a gap before source offset " + copies
                        + ", but the source has a record at offset " + s.offset();
            }
            return sameRecord(s, m, copies) ? null : "the mirror's last record (offset " + offset
                    + ") fills a gap with a copy of source offset " + copies + " that differs from it";
        }
        if (s == null || s.offset() != offset) {
            return sourceCompacted ? null : "the mirror has a record at offset " + offset
                    + " where the source has none";
        }
        return sameRecord(s, m, null) ? null : "the mirror's record at offset " + offset
                + " differs from the source's";
    }

    /** A filler: an empty key, no value (or an empty one), at most the gap header. */
    static boolean isFiller(ConsumerRecord<byte[], byte[]> r) {
        boolean emptyKey = r.key() == null || r.key().length == 0;
        boolean emptyValue = r.value() == null || r.value().length == 0;
        Header[] headers = r.headers().toArray();
        boolean headersOk = headers.length == 0
                || headers.length == 1 && headers[0].key().equals(Fillers.GAP_HEADER);
        return emptyKey && emptyValue && headersOk;
    }

    /** The source offset a gap filler copies, or null when the record is no gap filler. */
    private static Long gapOf(ConsumerRecord<byte[], byte[]> r) {
        Header h = r.headers().lastHeader(Fillers.GAP_HEADER);
        if (h == null || h.value() == null) {
            return null;
        }
        try {
            return Long.parseLong(new String(h.value(), StandardCharsets.UTF_8));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Same key, value, timestamp and headers; a gap filler has the gap header on top of the source's. */
    private static boolean sameRecord(ConsumerRecord<byte[], byte[]> source, ConsumerRecord<byte[], byte[]> mirror,
            Long gap) {
        if (!Arrays.equals(source.key(), mirror.key()) || !Arrays.equals(source.value(), mirror.value())
                || source.timestamp() != mirror.timestamp()) {
            return false;
        }
        Header[] s = source.headers().toArray();
        Header[] m = mirror.headers().toArray();
        int expected = s.length + (gap == null ? 0 : 1);
        if (m.length != expected) {
            return false;
        }
        for (int i = 0; i < s.length; i++) {
            if (!Objects.equals(s[i].key(), m[i].key()) || !Arrays.equals(s[i].value(), m[i].value())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads, for each partition, the first record at or after {@code at}, with {@code consumer}
     * positioned at {@code from} (at or below {@code at}: records read on the way go to
     * {@code sampler}, when there is one), stopping at {@code ends}; a partition with none before
     * its end gets no entry. Partitions whose read did not finish within {@code timeout} are in
     * {@code unfinished}.
     */
    static Map<TopicPartition, ConsumerRecord<byte[], byte[]>> firstRecords(Consumer<byte[], byte[]> consumer,
            Map<TopicPartition, Long> from, Map<TopicPartition, Long> at, Map<TopicPartition, Long> ends,
            Duration timeout, List<TopicPartition> unfinished,
            BiConsumer<TopicPartition, ConsumerRecord<byte[], byte[]>> sampler) {
        Map<TopicPartition, ConsumerRecord<byte[], byte[]>> found = new HashMap<>();
        Map<TopicPartition, Long> open = new HashMap<>();
        from.forEach((tp, offset) -> {
            if (offset < ends.getOrDefault(tp, 0L)) {
                open.put(tp, offset);
            }
        });
        if (open.isEmpty()) {
            return found;
        }
        consumer.assign(open.keySet());
        open.forEach(consumer::seek);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!open.isEmpty() && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                if (!open.containsKey(tp) || r.offset() >= ends.get(tp)) {
                    continue;
                }
                if (sampler != null) {
                    sampler.accept(tp, r);
                }
                if (r.offset() >= at.get(tp)) {
                    found.putIfAbsent(tp, r);
                }
            }
            open.keySet().removeIf(tp -> found.containsKey(tp) || consumer.position(tp) >= ends.get(tp));
        }
        unfinished.addAll(open.keySet());
        return found;
    }
}
