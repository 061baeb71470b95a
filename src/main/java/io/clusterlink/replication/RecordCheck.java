package io.clusterlink.replication;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.SimpleRecord;

/**
 * Checks a source record before it is sent, so that a record the mirror can never hold fails its
 * mirror with a precise reason instead of failing a write (which stops the copy thread's writes
 * and, repeated, would stall every partition of the thread). The mirror topic takes any batch the
 * destination accepts in one request ({@code max.message.bytes} is raised while mirroring), so the
 * limit is the destination's request size.
 */
final class RecordCheck {

    /** What to do with a record. */
    sealed interface Verdict {
    }

    /** Send it as it is. */
    record Fits() implements Verdict {
    }

    /** Too large uncompressed, fits compressed with {@code codec}: send it with a compressing writer. */
    record NeedsCompression(CompressionType codec) implements Verdict {
    }

    /** The mirror can never hold it: {@code reason} says why. */
    record Never(String reason) implements Verdict {
    }

    static final Verdict FITS = new Fits();

    private RecordCheck() {
    }

    /**
     * @param written the headers the record is written with: its own, or a gap filler's when it is
     *                also written as fillers before it (those are the larger ones)
     * @param codec the codec the partition is written with
     * @param maxBatchBytes the largest batch the destination takes
     */
    static Verdict check(ConsumerRecord<byte[], byte[]> r, Headers written, CompressionType codec,
            int maxBatchBytes) {
        if (r.timestamp() < 0) {
            return new Never("it has no timestamp (" + r.timestamp() + "); the Kafka producer cannot write a record "
                    + "without one, so the mirror cannot hold it at the same offset with the same timestamp");
        }
        Header[] headers = written.toArray();
        int uncompressed = AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE,
                CompressionType.NONE, r.key(), r.value(), headers);
        if (uncompressed <= maxBatchBytes) {
            return FITS;
        }
        CompressionType target = codec == CompressionType.NONE ? CompressionType.ZSTD : codec;
        int compressed = MemoryRecords.withRecords(Compression.of(target).build(),
                new SimpleRecord(r.timestamp(), r.key(), r.value(), headers)).sizeInBytes();
        if (compressed <= maxBatchBytes) {
            return codec == CompressionType.NONE ? new NeedsCompression(target) : FITS;
        }
        return new Never("it is " + uncompressed + " bytes (" + compressed + " bytes compressed with "
                + target.name + "), more than the destination cluster accepts in one request (" + maxBatchBytes
                + " bytes of record batch, from its socket.request.max.bytes)");
    }
}
