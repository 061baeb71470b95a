package io.clusterlink.replication;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * How records are written at exactly the source offsets. Offsets with no visible record
 * (compacted away, transaction markers, aborted records) are filled with a copy of the next real
 * record that carries a {@value #GAP_HEADER} header whose value is the offset of the real record
 * it copies. Offsets below a mirror's start are filled with minimal records and deleted; offsets a
 * promoted mirror ends with that hold no source record get minimal records with the header and
 * their own offset.
 */
final class RecordCopier {

    static final String GAP_HEADER = "clusterlink.gap";

    private RecordCopier() {
    }

    /** The headers of a gap filler: the record's own, then the gap header naming its offset. */
    static Headers withGap(Headers original, long offset) {
        RecordHeaders headers = new RecordHeaders(original.toArray());
        headers.add(GAP_HEADER, Long.toString(offset).getBytes(StandardCharsets.UTF_8));
        return headers;
    }
}
