package io.clusterlink.kafka;

/**
 * A Kafka call that did not succeed: its cause is the Kafka client's exception, unwrapped.
 * {@link KafkaErrors#classify} and {@link KafkaErrors#describe} say what it was.
 */
public final class KafkaCallException extends RuntimeException {

    KafkaCallException(Throwable cause) {
        super(KafkaErrors.describe(cause), cause);
    }

    public KafkaErrors.Kind kind() {
        return KafkaErrors.classify(getCause());
    }

    public boolean is(KafkaErrors.Kind kind) {
        return kind() == kind;
    }
}
