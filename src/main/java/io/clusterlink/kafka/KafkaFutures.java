package io.clusterlink.kafka;

import java.time.Duration;
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
}
