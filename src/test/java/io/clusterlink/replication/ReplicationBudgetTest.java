package io.clusterlink.replication;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReplicationBudgetTest {

    private static final long MB = 1024 * 1024;

    @Test
    void buffersAreSharedOverThePlannedCopyThreadsWithinBounds() {
        ReplicationBudget budget = new ReplicationBudget(200 * MB, 64);

        // a few threads share as if there were 16: clients made now keep their sizes when more links come
        budget.planned(2);
        assertThat(budget.producerBuffer(128 * MB)).isEqualTo(200 * MB * 2 / 5 / 16);
        assertThat(budget.fetchMaxBytes((int) (10 * MB))).isEqualTo((int) (200 * MB / 5 / 16));
        assertThat(budget.maxPollRecords(20_000)).isEqualTo((int) (200 * MB / 5 / 16 / 1024));

        budget.planned(100);
        assertThat(budget.producerBuffer(128 * MB)).isEqualTo(4 * MB);
        assertThat(budget.fetchMaxBytes((int) (10 * MB))).isEqualTo((int) MB);
        assertThat(budget.maxPollRecords(20_000)).isEqualTo(500);
    }

    @Test
    void batchesAreAnEighthOfTheProducersBufferWithinBounds() {
        assertThat(ReplicationBudget.batchSize(128 * MB, 512 * 1024)).isEqualTo(512 * 1024);
        assertThat(ReplicationBudget.batchSize(4 * MB, 512 * 1024)).isEqualTo(512 * 1024);
        assertThat(ReplicationBudget.batchSize(2 * MB, 512 * 1024)).isEqualTo(256 * 1024);
        assertThat(ReplicationBudget.batchSize(64 * 1024, 512 * 1024)).isEqualTo(16 * 1024);
    }

    @Test
    void manyLinksShareTheCopyThreadsButEachKeepsOne() {
        ReplicationBudget budget = new ReplicationBudget(200 * MB, 64);

        assertThat(budget.fetchersFor(2, 10)).isEqualTo(2);
        assertThat(budget.fetchersFor(4, 32)).isEqualTo(2);
        assertThat(budget.fetchersFor(2, 50)).isEqualTo(1);
        assertThat(budget.fetchersFor(2, 500)).isEqualTo(1);
    }

    @Test
    void isFullWhileAllProducersTogetherHoldMoreThanTheirHalf() {
        ReplicationBudget budget = new ReplicationBudget(200 * MB, 64);

        budget.buffered(60 * MB);
        budget.buffered(39 * MB);
        assertThat(budget.full()).isFalse();
        budget.buffered(2 * MB);
        assertThat(budget.full()).isTrue();
        budget.buffered(-60 * MB);
        assertThat(budget.full()).isFalse();
    }
}
