package io.clusterlink.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutionException;

import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TopicDeletionDisabledException;
import org.apache.kafka.common.errors.UnknownServerException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;

/** What a failed Kafka call was, as the callers decide on it: a refusal of the request is no outage. */
class KafkaErrorsTest {

    @Test
    void aRequestTheClusterRefusesIsAnInvalidTopicRequestNotAnOutage() {
        // When the admin client's futures fail with the cluster's refusals
        // Then each is a refusal of the request, whatever wraps it
        assertThat(KafkaErrors.classify(wrapped(new TopicDeletionDisabledException("Topic deletion is disabled."))))
                .isEqualTo(KafkaErrors.Kind.INVALID_TOPIC_REQUEST);
        assertThat(KafkaErrors.classify(wrapped(new InvalidTopicException("Topic name is illegal"))))
                .isEqualTo(KafkaErrors.Kind.INVALID_TOPIC_REQUEST);
        assertThat(KafkaErrors.classify(new KafkaCallException(wrapped(new PolicyViolationException("no")))))
                .isEqualTo(KafkaErrors.Kind.INVALID_TOPIC_REQUEST);
    }

    @Test
    void otherFailuresKeepTheirKinds() {
        assertThat(KafkaErrors.classify(wrapped(new UnknownTopicOrPartitionException("gone"))))
                .isEqualTo(KafkaErrors.Kind.UNKNOWN_TOPIC);
        assertThat(KafkaErrors.classify(wrapped(new TopicAuthorizationException("no"))))
                .isEqualTo(KafkaErrors.Kind.AUTHORIZATION);
        assertThat(KafkaErrors.classify(wrapped(new TimeoutException("slow")))).isEqualTo(KafkaErrors.Kind.TIMEOUT);
        assertThat(KafkaErrors.classify(wrapped(new UnknownServerException("?")))).isEqualTo(KafkaErrors.Kind.OTHER);
    }

    private static ExecutionException wrapped(Exception e) {
        return new ExecutionException(e);
    }
}
