package io.clusterlink.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The consumers a link's starts share: reused while healthy, closed when a use failed, when idle too long, at the end. */
class ProbeConsumersTest {

    private final List<MockConsumer<byte[], byte[]>> made = new ArrayList<>();
    private final AtomicLong clock = new AtomicLong(1_000);
    private final ProbeConsumers probes = new ProbeConsumers(() -> {
        MockConsumer<byte[], byte[]> c = new MockConsumer<>("none");
        made.add(c);
        return c;
    }, clock::get);

    @Test
    void aConsumerGivenBackIsReusedWithNothingAssigned() {
        Consumer<byte[], byte[]> first = probes.take();
        first.assign(List.of(new TopicPartition("orders", 0)));
        probes.giveBack(first, true);

        Consumer<byte[], byte[]> again = probes.take();

        assertThat(again).isSameAs(first);
        assertThat(again.assignment()).isEmpty();
        assertThat(made).hasSize(1);
        assertThat(made.get(0).closed()).isFalse();
    }

    @Test
    void aConsumerWhoseUseFailedIsClosedAndTheNextStartGetsANewOne() {
        Consumer<byte[], byte[]> first = probes.take();
        probes.giveBack(first, false);

        assertThat(made.get(0).closed()).isTrue();
        assertThat(probes.take()).isNotSameAs(first);
        assertThat(made).hasSize(2);
    }

    @Test
    void startsAtOnceGetAConsumerEachAndAtMostTwoAreKept() {
        List<Consumer<byte[], byte[]>> inUse = List.of(probes.take(), probes.take(), probes.take());
        inUse.forEach(c -> probes.giveBack(c, true));

        assertThat(made).hasSize(3);
        assertThat(probes.idle()).isEqualTo(ProbeConsumers.MAX_IDLE);
        assertThat(made.stream().filter(MockConsumer::closed)).hasSize(1);
    }

    @Test
    void idleConsumersAreClosedAfterAMinuteAndAllAtTheEnd() {
        Consumer<byte[], byte[]> old = probes.take();
        probes.giveBack(old, true);
        clock.addAndGet(ProbeConsumers.IDLE_MS);

        Consumer<byte[], byte[]> next = probes.take();

        assertThat(made.get(0).closed()).isTrue();
        assertThat(next).isNotSameAs(old);
        probes.giveBack(next, true);
        probes.close();
        assertThat(made.get(1).closed()).isTrue();
        Consumer<byte[], byte[]> late = probes.take();
        probes.giveBack(late, true);
        assertThat(made.get(2).closed()).as("given back after the end").isTrue();
    }
}
