package io.clusterlink.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.KafkaFutureImpl;
import org.junit.jupiter.api.Test;

class KafkaFuturesTest {

    @Test
    void awaitEachNamesTheFuturesThatFailedOrDidNotAnswerWithinOneBoundForAll() {
        // Given the futures of one request: one answered, one failed, two that never answer
        KafkaFutureImpl<Void> answered = new KafkaFutureImpl<>();
        answered.complete(null);
        KafkaFutureImpl<Void> failed = new KafkaFutureImpl<>();
        failed.completeExceptionally(new UnknownTopicOrPartitionException("gone"));
        Map<String, KafkaFuture<Void>> futures = new LinkedHashMap<>();
        futures.put("silent-1", new KafkaFutureImpl<>());
        futures.put("silent-2", new KafkaFutureImpl<>());
        futures.put("answered", answered);
        futures.put("failed", failed);
        long start = System.nanoTime();

        // When
        Map<String, KafkaCallException> failures = KafkaFutures.awaitEach(futures, Duration.ofMillis(300));

        // Then the silent ones share the bound instead of taking it each
        assertThat(failures).containsOnlyKeys("silent-1", "silent-2", "failed");
        assertThat(failures.get("failed").is(KafkaErrors.Kind.UNKNOWN_TOPIC)).isTrue();
        assertThat(failures.get("silent-1").getCause()).isInstanceOf(TimeoutException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(550));
    }
}
