package io.clusterlink.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.CompressionType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.clusterlink.kafka.DestinationCluster;
import io.clusterlink.link.Mirror;
import io.clusterlink.link.MirrorStatus;
import io.clusterlink.service.Fleet;
import io.clusterlink.service.ReplicationAssignment;

/**
 * A link's copy threads as halts see them: a halt waits for every write of the mirror still in
 * flight, also when an earlier halt or the reconciler started the removal, and a partition being
 * removed is given to no copy thread meanwhile.
 */
class LinkReplicatorTest extends CopierFixture {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final TopicPartition SOURCE_0 = new TopicPartition(SOURCE, 0);
    private LinkReplicator group;

    @AfterEach
    void stopThreads() {
        if (group != null) {
            group.shutdown();
            assertThat(group.awaitTermination(WAIT)).isTrue();
        }
    }

    private static ReplicationAssignment assignment() {
        Mirror mirror = new Mirror(1, 1, "link", "cluster", MIRROR, SOURCE, TOPIC_ID, 1, MirrorStatus.ACTIVE, null,
                null, 0, List.of(0L), null, null, false);
        return new ReplicationAssignment(mirror, "link", Map.of(),
                new DestinationCluster("destination", "cluster", Map.of()), 1);
    }

    /** Given a copy thread writing partition 0 of mirror 1, with two writes sent and not acknowledged. */
    private void twoWritesInFlight() {
        group = new LinkReplicator("link", List.of(copier), new Throttle(), () -> {});
        group.apply(List.of(assignment()), m -> progress, Set.of());
        await().atMost(WAIT).until(() -> results != null && !startRequests.isEmpty());
        results.accept(new Starter.Ready(SOURCE_0, 0, 0, CompressionType.NONE));
        await().atMost(WAIT).until(() -> consumer.assignment().contains(SOURCE_0));
        consumer.addRecord(record(0, 0, "v0", 5000));
        consumer.addRecord(record(0, 1, "v1", 5001));
        await().atMost(WAIT).until(() -> producers.containsKey(CompressionType.NONE)
                && producer().history().size() == 2);
    }

    @Test
    void thePartitionsOfAMirrorGivenInOneRoundStartTogether() {
        int partitions = 20;
        List<Long> starts = java.util.Collections.nCopies(partitions, 0L);
        Mirror mirror = new Mirror(1, 1, "link", "cluster", MIRROR, SOURCE, TOPIC_ID, partitions, MirrorStatus.ACTIVE,
                null, null, 0, starts, null, null, false);
        PartitionProgress[] twenty = new PartitionProgress[partitions];
        for (int i = 0; i < partitions; i++) {
            twenty[i] = new PartitionProgress(i);
        }
        group = new LinkReplicator("link", List.of(copier), new Throttle(), () -> {});

        // A reconciler thread that loses its core between two partitions (each look-up takes 20 ms)
        Set<Fleet.MirrorPartitionId> slowLookUps = new java.util.HashSet<>() {
            @Override
            public boolean contains(Object o) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return false;
            }
        };

        group.apply(List.of(new ReplicationAssignment(mirror, "link", Map.of(),
                new DestinationCluster("destination", "cluster", Map.of()), 1)), m -> twenty, slowLookUps);

        await().atMost(WAIT).until(() -> startRequests.size() == partitions);
        assertThat(startBatches).as("one start for all, not one per partition").containsExactly(partitions);
    }

    @Test
    void aSecondHaltWaitsForTheWritesTheFirstLeftInFlight() throws Exception {
        twoWritesInFlight();

        // When a first halt gives up (it timed out) and a second one is asked for
        List<CompletableFuture<Void>> first = group.removeMirror(1);
        List<CompletableFuture<Void>> second = group.removeMirror(1);

        // Then the second waits too, until both writes are acknowledged, and the partition stays busy until then
        assertThat(first).isNotEmpty();
        assertThat(second).isNotEmpty();
        CompletableFuture<Void> halted = CompletableFuture.allOf(second.toArray(CompletableFuture[]::new));
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> !halted.isDone());
        assertThat(group.heldPartitions()).containsExactly(new Fleet.MirrorPartitionId(1, 0));
        producer().completeNext();
        await().during(Duration.ofMillis(100)).atMost(WAIT).until(() -> !halted.isDone());
        producer().completeNext();
        halted.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(group.heldPartitions()).isEmpty();
    }

    @Test
    void aHaltAfterTheReconcilerDroppedTheMirrorWaitsForItsWrites() throws Exception {
        twoWritesInFlight();

        // When the reconciler drops the mirror (no longer in the plan) and then a halt is asked for
        group.apply(List.of(), m -> progress, Set.of());
        List<CompletableFuture<Void>> halt = group.removeMirror(1);

        // Then the halt waits for the writes in flight
        assertThat(halt).isNotEmpty();
        CompletableFuture<Void> halted = CompletableFuture.allOf(halt.toArray(CompletableFuture[]::new));
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> !halted.isDone());
        producer().completeNext();
        producer().completeNext();
        halted.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void aPartitionBeingRemovedIsNotGivenBackUntilItsWritesLanded() throws Exception {
        twoWritesInFlight();
        group.apply(List.of(), m -> progress, Set.of());

        // When the mirror is planned again while its writes are in flight
        group.apply(List.of(assignment()), m -> progress, Set.of());

        // Then its partition is not started again until they landed
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> startRequests.size() == 1);
        producer().completeNext();
        producer().completeNext();
        await().atMost(WAIT).until(() -> group.busy().isEmpty());
        group.apply(List.of(assignment()), m -> progress, Set.of());
        await().atMost(WAIT).until(() -> startRequests.size() == 2);
    }

    @Test
    void aPartitionOfAnotherLinksMirrorOfTheSameSourceTopicDoesNotHoldThisOneBack() throws Exception {
        // Given another link's mirror (mirror 2) of the same source topic holding partition 0 elsewhere
        group = new LinkReplicator("link", List.of(copier), new Throttle(), () -> {});
        Set<Fleet.MirrorPartitionId> busyElsewhere = Set.of(new Fleet.MirrorPartitionId(2, 0));

        // When this link's mirror 1 of that topic is applied
        group.apply(List.of(assignment()), m -> progress, busyElsewhere);

        // Then its partition 0 starts all the same; only its own mirror partition held elsewhere waits
        await().atMost(WAIT).until(() -> !startRequests.isEmpty());
        assertThat(group.heldPartitions()).containsExactly(new Fleet.MirrorPartitionId(1, 0));
    }

    @Test
    void aMirrorPartitionStillHeldByAnotherGroupOfItsLinkWaits() throws Exception {
        group = new LinkReplicator("link", List.of(copier), new Throttle(), () -> {});

        group.apply(List.of(assignment()), m -> progress, Set.of(new Fleet.MirrorPartitionId(1, 0)));

        await().during(Duration.ofMillis(300)).atMost(WAIT).until(startRequests::isEmpty);
        assertThat(group.heldPartitions()).isEmpty();
    }
}
