package io.clusterlink.replication;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.apache.kafka.clients.consumer.Consumer;
import org.jboss.logging.Logger;

/**
 * The consumers a link's starts read mirror tails and source samples with, kept open between
 * starts: a start of many partitions at once (a resume, a restart of the service, a link's copy
 * threads made again) then reuses their connections and metadata instead of making two consumers
 * per copy thread, which costs more than the reads. A consumer is used by one start at a time;
 * one whose use failed is closed, not kept; idle ones are closed after {@link #IDLE_MS}.
 */
final class ProbeConsumers implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ProbeConsumers.class);

    static final long IDLE_MS = 60_000;
    /** At most this many idle consumers are kept (starts of a link run on a few threads). */
    static final int MAX_IDLE = 2;

    private record Idle(Consumer<byte[], byte[]> consumer, long since) {
    }

    private final Supplier<Consumer<byte[], byte[]>> factory;
    private final LongSupplier clock;
    private final Deque<Idle> idle = new ArrayDeque<>();
    private boolean closed;

    ProbeConsumers(Supplier<Consumer<byte[], byte[]>> factory, LongSupplier clock) {
        this.factory = factory;
        this.clock = clock;
    }

    /** An idle consumer with nothing assigned, or a new one. */
    Consumer<byte[], byte[]> take() {
        Consumer<byte[], byte[]> reused;
        synchronized (this) {
            closeExpired();
            Idle i = idle.pollFirst();
            reused = i == null ? null : i.consumer();
        }
        return reused != null ? reused : factory.get();
    }

    /** Gives a consumer back after a use; {@code reusable} false (the use failed) closes it. */
    void giveBack(Consumer<byte[], byte[]> consumer, boolean reusable) {
        if (consumer == null) {
            return;
        }
        if (reusable) {
            try {
                consumer.assign(List.of());
            } catch (RuntimeException e) {
                reusable = false;
            }
        }
        synchronized (this) {
            if (reusable && !closed && idle.size() < MAX_IDLE) {
                idle.addFirst(new Idle(consumer, clock.getAsLong()));
                return;
            }
        }
        closeQuietly(consumer);
    }

    /** How many idle consumers are kept now. */
    synchronized int idle() {
        return idle.size();
    }

    private void closeExpired() {
        long now = clock.getAsLong();
        while (!idle.isEmpty() && now - idle.peekLast().since() >= IDLE_MS) {
            closeQuietly(idle.pollLast().consumer());
        }
    }

    @Override
    public void close() {
        List<Idle> all;
        synchronized (this) {
            closed = true;
            all = List.copyOf(idle);
            idle.clear();
        }
        all.forEach(i -> closeQuietly(i.consumer()));
    }

    private static void closeQuietly(Consumer<byte[], byte[]> consumer) {
        try {
            consumer.close();
        } catch (RuntimeException e) {
            LOG.debugf("Closing a probe consumer: %s", e.getMessage());
        }
    }
}
