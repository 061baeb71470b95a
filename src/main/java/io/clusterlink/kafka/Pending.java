package io.clusterlink.kafka;

/**
 * An answer that was asked for and is not awaited yet: a caller that needs several answers asks
 * for all of them first, so that their requests are in flight at once, and then awaits each.
 * Awaiting is bounded and fails with a {@link KafkaCallException}, like the call it stands for.
 */
@FunctionalInterface
public interface Pending<T> {

    T await();
}
