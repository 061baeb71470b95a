package io.clusterlink.testing;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.header.Header;

import io.clusterlink.kafka.local.LocalKafkaCluster;

/**
 * Compares a source topic with its mirror record by record; every replication test uses it.
 * <p>
 * The source is read with {@code read_committed} from its log start to its last stable offset, the
 * mirror with {@code read_uncommitted} from its log start to its log end. Per partition:
 * <ol>
 * <li>the mirror has the source's partition count;</li>
 * <li>every source record at or after the mirror's log start offset is in the mirror at the same
 * offset with the same key, value, headers (names, values, order) and timestamp;</li>
 * <li>every other mirror record is a filler: it carries the {@value #GAP_HEADER} header and stands at an
 * offset with no visible source record (compacted away, a transaction marker, an aborted record);</li>
 * <li>the mirror holds nothing at or beyond the source end offset, and reaches at least the offset after
 * the last source record.</li>
 * </ol>
 * Mirror records below the source log start offset cannot be checked (the source no longer has
 * them) and are only counted.
 */
public final class MirrorVerifier {

    /** Header that marks a mirror record filling an offset with no visible source record. */
    public static final String GAP_HEADER = "clusterlink.gap";

    private static final int MAX_REPORTED_PROBLEMS = 50;
    private static final int MAX_SHOWN_BYTES = 40;

    private MirrorVerifier() {
    }

    /**
     * Reads both topics and compares them.
     *
     * @throws AssertionError naming partition, offset and what differs, for every difference found
     */
    public static Result assertIdentical(LocalKafkaCluster source, String sourceTopic, LocalKafkaCluster destination,
            String mirrorTopic, Duration timeout) {
        List<PartitionLog> sourceLogs = KafkaClusters.readLogs(source, sourceTopic, IsolationLevel.READ_COMMITTED,
                timeout);
        List<PartitionLog> mirrorLogs = KafkaClusters.readLogs(destination, mirrorTopic,
                IsolationLevel.READ_UNCOMMITTED, timeout);
        return compare("mirror " + mirrorTopic + " of " + sourceTopic, sourceLogs, mirrorLogs);
    }

    /**
     * Compares logs read from a source topic and its mirror, both indexed by partition.
     *
     * @param label names the pair in the failure message
     * @throws AssertionError listing every difference
     */
    public static Result compare(String label, List<PartitionLog> source, List<PartitionLog> mirror) {
        List<String> problems = new ArrayList<>();
        if (source.size() != mirror.size()) {
            throw new AssertionError(
                    label + ": partition count differs: source " + source.size() + ", mirror " + mirror.size());
        }
        List<PartitionResult> results = new ArrayList<>();
        for (int i = 0; i < source.size(); i++) {
            results.add(comparePartition(source.get(i).partition(), source.get(i), mirror.get(i), problems));
        }
        if (!problems.isEmpty()) {
            String shown = problems.stream().limit(MAX_REPORTED_PROBLEMS).collect(Collectors.joining("\n  "));
            String more = problems.size() > MAX_REPORTED_PROBLEMS
                    ? "\n  ... and " + (problems.size() - MAX_REPORTED_PROBLEMS) + " more"
                    : "";
            String count = problems.size() == 1 ? "1 problem" : problems.size() + " problems";
            throw new AssertionError(label + " differs from its source (" + count + "):\n  " + shown + more);
        }
        return new Result(results);
    }

    private static PartitionResult comparePartition(int partition, PartitionLog source, PartitionLog mirror,
            List<String> problems) {
        String where = "partition " + partition;
        Map<Long, ConsumerRecord<byte[], byte[]>> sourceByOffset = byOffset(source);
        Map<Long, ConsumerRecord<byte[], byte[]>> mirrorByOffset = byOffset(mirror);
        long compared = 0;
        long lastSourceOffset = -1;
        for (ConsumerRecord<byte[], byte[]> sourceRecord : source.records()) {
            long offset = sourceRecord.offset();
            if (offset < mirror.startOffset()) {
                continue;
            }
            lastSourceOffset = offset;
            ConsumerRecord<byte[], byte[]> mirrorRecord = mirrorByOffset.get(offset);
            if (mirrorRecord != null) {
                compared++;
                String differences = differences(sourceRecord, mirrorRecord);
                if (!differences.isEmpty()) {
                    problems.add(where + " offset " + offset + ": " + differences);
                }
            } else if (offset < mirror.endOffset()) {
                problems.add(where + " offset " + offset + ": missing in the mirror (source " + describe(sourceRecord)
                        + ")");
            }
        }
        long fillers = 0;
        long beforeSourceStart = 0;
        for (ConsumerRecord<byte[], byte[]> mirrorRecord : mirror.records()) {
            long offset = mirrorRecord.offset();
            if (offset < source.startOffset()) {
                beforeSourceStart++;
            } else if (offset < source.endOffset() && !sourceByOffset.containsKey(offset)) {
                if (mirrorRecord.headers().lastHeader(GAP_HEADER) != null) {
                    fillers++;
                } else {
                    problems.add(where + " offset " + offset
                            + ": the source has no record here and the mirror record has no "
                            + GAP_HEADER + " header (mirror " + describe(mirrorRecord) + ")");
                }
            }
        }
        if (mirror.endOffset() > source.endOffset()) {
            problems.add(where + ": the mirror ends at offset " + mirror.endOffset() + ", beyond the source end offset "
                    + source.endOffset());
        }
        if (mirror.endOffset() <= lastSourceOffset) {
            problems.add(where + ": the mirror ends at offset " + mirror.endOffset()
                    + " but the source has records up to offset "
                    + lastSourceOffset);
        }
        return new PartitionResult(partition, compared, fillers, beforeSourceStart, mirror.startOffset(),
                mirror.endOffset(), source.endOffset());
    }

    private static Map<Long, ConsumerRecord<byte[], byte[]>> byOffset(PartitionLog log) {
        Map<Long, ConsumerRecord<byte[], byte[]>> records = new LinkedHashMap<>();
        log.records().forEach(record -> records.put(record.offset(), record));
        return records;
    }

    private static String differences(ConsumerRecord<byte[], byte[]> source, ConsumerRecord<byte[], byte[]> mirror) {
        List<String> differences = new ArrayList<>();
        if (!Arrays.equals(source.key(), mirror.key())) {
            differences
                    .add("key differs (source " + describe(source.key()) + ", mirror " + describe(mirror.key()) + ")");
        }
        if (!Arrays.equals(source.value(), mirror.value())) {
            differences.add(
                    "value differs (source " + describe(source.value()) + ", mirror " + describe(mirror.value()) + ")");
        }
        if (!sameHeaders(source.headers().toArray(), mirror.headers().toArray())) {
            differences.add("headers differ (source " + describe(source.headers()) + ", mirror "
                    + describe(mirror.headers()) + ")");
        }
        if (source.timestamp() != mirror.timestamp()) {
            differences.add("timestamp differs (source " + source.timestamp() + ", mirror " + mirror.timestamp() + ")");
        }
        return String.join("; ", differences);
    }

    private static boolean sameHeaders(Header[] source, Header[] mirror) {
        if (source.length != mirror.length) {
            return false;
        }
        for (int i = 0; i < source.length; i++) {
            if (!Objects.equals(source[i].key(), mirror[i].key())
                    || !Arrays.equals(source[i].value(), mirror[i].value())) {
                return false;
            }
        }
        return true;
    }

    private static String describe(ConsumerRecord<byte[], byte[]> record) {
        return "key " + describe(record.key()) + ", value " + describe(record.value()) + ", headers "
                + describe(record.headers());
    }

    private static String describe(Iterable<Header> headers) {
        return StreamSupport.stream(headers.spliterator(), false)
                .map(header -> header.key() + "=" + describe(header.value()))
                .collect(Collectors.joining(", ", "[", "]"));
    }

    /** Quoted text if the bytes are UTF-8, else hex; long values are cut. */
    static String describe(byte[] bytes) {
        if (bytes == null) {
            return "null";
        }
        byte[] shown = bytes.length > MAX_SHOWN_BYTES ? Arrays.copyOf(bytes, MAX_SHOWN_BYTES) : bytes;
        String suffix = bytes.length > MAX_SHOWN_BYTES ? "... (" + bytes.length + " bytes)" : "";
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(shown))
                    .toString();
            if (text.chars().noneMatch(Character::isISOControl)) {
                return "\"" + text + "\"" + suffix;
            }
        } catch (CharacterCodingException e) {
            // Not text (or cut inside a character): shown as hex.
        }
        return "0x" + HexFormat.of().formatHex(shown) + suffix;
    }

    /** What one partition comparison found. */
    public record PartitionResult(int partition, long recordsCompared, long fillers, long recordsBeforeSourceStart,
            long mirrorLogStartOffset, long mirrorEndOffset, long sourceEndOffset) {
    }

    /** What a comparison found, per partition (in partition order) and in total. */
    public record Result(List<PartitionResult> partitions) {

        public Result {
            partitions = List.copyOf(partitions);
        }

        /** Source records found at the same offset in the mirror, over all partitions. */
        public long recordsCompared() {
            return partitions.stream().mapToLong(PartitionResult::recordsCompared).sum();
        }

        /** Mirror records with the {@value MirrorVerifier#GAP_HEADER} header, over all partitions. */
        public long fillers() {
            return partitions.stream().mapToLong(PartitionResult::fillers).sum();
        }

        /** Mirror log start offset by partition. */
        public Map<Integer, Long> mirrorLogStartOffsets() {
            Map<Integer, Long> offsets = new LinkedHashMap<>();
            partitions.forEach(result -> offsets.put(result.partition(), result.mirrorLogStartOffset()));
            return offsets;
        }
    }
}
