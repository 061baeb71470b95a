package io.clusterlink.replication;

/**
 * A link's bound on replication bytes per second ({@code cluster.link.io.max.bytes.per.second}),
 * shared by its copy threads: a token bucket holding at most a fifth of a second's bytes. A copy
 * thread takes a record's bytes before it writes the record and holds the rest of a fetch back
 * while the bucket is empty, so a limit takes effect record by record, not fetch by fetch. The rate
 * can change at any time; unlimited costs one volatile read per record.
 */
final class Throttle {

    static final long UNLIMITED = Long.MAX_VALUE;
    private static final long MIN_BURST = 16 * 1024;

    private volatile long rate = UNLIMITED;
    private double tokens;
    private long refilledAt = System.nanoTime();

    /** Sets the bound (bytes per second; {@link #UNLIMITED} for none). */
    void rate(long bytesPerSecond) {
        if (bytesPerSecond == rate) {
            return;
        }
        synchronized (this) {
            boolean wasUnlimited = rate == UNLIMITED;
            refill();
            rate = bytesPerSecond;
            // A new limit starts with a full bucket; a changed one keeps what is left of it.
            tokens = wasUnlimited ? burst() : Math.min(tokens, burst());
        }
    }

    long rate() {
        return rate;
    }

    /** Takes {@code bytes} unless the bucket is empty; the last record taken may leave it below zero. */
    boolean tryTake(long bytes) {
        if (rate == UNLIMITED) {
            return true;
        }
        synchronized (this) {
            refill();
            if (tokens <= 0) {
                return false;
            }
            tokens -= bytes;
            return true;
        }
    }

    /** True while nothing more may be written. */
    boolean exhausted() {
        if (rate == UNLIMITED) {
            return false;
        }
        synchronized (this) {
            refill();
            return tokens <= 0;
        }
    }

    private void refill() {
        long now = System.nanoTime();
        long r = rate;
        if (r == UNLIMITED) {
            tokens = 0;
        } else {
            tokens = Math.min(burst(), tokens + (now - refilledAt) * (r / 1e9));
        }
        refilledAt = now;
    }

    private double burst() {
        return Math.max(MIN_BURST, rate / 5.0);
    }
}
