package io.clusterlink.link;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** Where a new mirror starts ({@code mirror.start.offset.spec}). */
public sealed interface StartOffsetSpec {

    record Earliest() implements StartOffsetSpec {
    }

    record Latest() implements StartOffsetSpec {
    }

    /** The first offset whose timestamp is at or after {@code timestampMs}; the end if none. */
    record AtTimestamp(long timestampMs) implements StartOffsetSpec {
    }

    /** Parses {@code earliest}, {@code latest} or an ISO-8601 instant such as {@code 2024-05-01T10:00:00Z}. */
    static StartOffsetSpec parse(String value) {
        String v = value.trim();
        switch (v.toLowerCase(Locale.ROOT)) {
            case "earliest":
                return new Earliest();
            case "latest":
                return new Latest();
            default:
                try {
                    return new AtTimestamp(OffsetDateTime.parse(v).toInstant().toEpochMilli());
                } catch (DateTimeParseException e) {
                    try {
                        return new AtTimestamp(Instant.parse(v).toEpochMilli());
                    } catch (DateTimeParseException e2) {
                        throw new IllegalArgumentException(
                                "must be 'earliest', 'latest' or an ISO-8601 timestamp such as 2024-05-01T10:00:00Z");
                    }
                }
        }
    }
}
