package io.clusterlink.kafka;

/**
 * What a destination cluster's brokers accept, as far as mirroring needs to know: the largest
 * request ({@code socket.request.max.bytes}) and whether topics take the timestamp bounds of
 * Kafka 3.6 and later ({@code message.timestamp.before.max.ms} / {@code after.max.ms}) or the
 * older {@code message.timestamp.difference.max.ms}.
 */
public record DestinationLimits(int maxRequestBytes, boolean timestampBounds) {

    /** Kafka's defaults, for a cluster whose broker configs cannot be read. */
    public static final DestinationLimits DEFAULTS = new DestinationLimits(104_857_600, true);

    /** Room for the request and batch headers around one record batch. */
    private static final int REQUEST_OVERHEAD = 64 * 1024;

    /** The largest record batch that fits one produce request. */
    public int maxBatchBytes() {
        return Math.max(1024 * 1024, maxRequestBytes - REQUEST_OVERHEAD);
    }
}
