package io.clusterlink.link;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The records a mirror holds at offsets where its source has no visible record, so that every
 * other record stands at its source offset. Offsets without a visible record (compacted away,
 * transaction markers, aborted records) are filled with a copy of the next real record that
 * carries a {@value #GAP_HEADER} header whose value is the offset of the real record it copies.
 * Offsets below a mirror's start are filled with minimal records and deleted; offsets a promoted
 * mirror ends with that hold no source record get empty records with the header and their own
 * offset.
 */
public final class Fillers {

    public static final String GAP_HEADER = "clusterlink.gap";

    private Fillers() {
    }

    /** The gap header naming {@code offset}. */
    public static Header gapHeader(long offset) {
        return new RecordHeader(GAP_HEADER, Long.toString(offset).getBytes(StandardCharsets.UTF_8));
    }

    /** The headers of a gap filler: the record's own, then the gap header naming its offset. */
    public static Headers withGap(Headers original, long offset) {
        RecordHeaders headers = new RecordHeaders(original.toArray());
        headers.add(gapHeader(offset));
        return headers;
    }
}
