package io.clusterlink.service;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import io.clusterlink.link.ClusterLinkException;

/**
 * Runs the mirrors of fail back actions (reverse, truncate-and-restore) several at a time instead
 * of one after the other: each waits for Kafka (a promotion to finish, a topic to be deleted and
 * made again) far more than it works. {@value #THREADS} run at a time in this instance, over all
 * requests; a restore holds a database connection of the pool for as long as it runs (its
 * fleet-wide lock, {@code ExclusiveRuns}) and uses another now and then, so that bound leaves the
 * rest of the pool to the API and the control plane.
 */
@ApplicationScoped
public class FailbackPool {

    /** Mirrors of fail back actions running at a time in this instance. */
    static final int THREADS = 6;

    private final ExecutorService pool;

    FailbackPool() {
        AtomicInteger count = new AtomicInteger();
        pool = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "failback-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Runs each piece of work, {@value #THREADS} at a time with those of other requests (one piece
     * alone too: many requests for one mirror each stay within the bound), and answers their
     * results in the order given.
     */
    <T> List<T> runAll(List<Supplier<T>> work) {
        List<Future<T>> futures = new ArrayList<>();
        for (Supplier<T> w : work) {
            futures.add(pool.submit(w::get));
        }
        List<T> results = new ArrayList<>();
        try {
            for (Future<T> f : futures) {
                results.add(f.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            futures.forEach(f -> f.cancel(false));
            throw new ClusterLinkException.Conflict("Interrupted while the action ran: some mirrors may have been "
                    + "acted on; look at them and call the action again for the others");
        } catch (ExecutionException e) {
            futures.forEach(f -> f.cancel(false));
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
        return results;
    }

    @PreDestroy
    void close() {
        pool.shutdownNow();
    }
}
