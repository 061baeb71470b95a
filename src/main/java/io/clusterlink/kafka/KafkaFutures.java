package io.clusterlink.kafka;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Waits for Kafka client futures. Every wait is bounded; an interrupt is kept (the flag is set
 * again) and, like every failure, comes out as a {@link KafkaCallException} whose cause is the
 * client's own exception.
 */
public final class KafkaFutures {

    private KafkaFutures() {
    }

    public static <T> T await(Future<T> future, Duration timeout) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(true);
            throw new KafkaCallException(e);
        } catch (ExecutionException e) {
            throw new KafkaCallException(KafkaErrors.unwrap(e));
        } catch (java.util.concurrent.TimeoutException e) {
            throw new KafkaCallException(new org.apache.kafka.common.errors.TimeoutException(
                    "no answer within " + timeout.toMillis() + " ms"));
        } catch (RuntimeException e) {
            throw new KafkaCallException(KafkaErrors.unwrap(e));
        }
    }

    /**
     * Waits for the futures of one request (one per resource), all within one {@code timeout}; the
     * failures by key, none when every future succeeded.
     */
    public static <K> Map<K, KafkaCallException> awaitEach(Map<K, ? extends Future<?>> futures, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<K, KafkaCallException> failures = new LinkedHashMap<>();
        futures.forEach((key, future) -> {
            try {
                await(future, Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())));
            } catch (KafkaCallException e) {
                if (e.is(KafkaErrors.Kind.INTERRUPTED)) {
                    throw e;
                }
                failures.put(key, e);
            }
        });
        return failures;
    }
}
