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

        // 50 links of one copy thread each: the shares of all of them fit the budget
        budget.planned(50);
        assertThat(budget.producerBuffer(128 * MB) * 50).isLessThanOrEqualTo(200 * MB * 2 / 5);
        assertThat((long) budget.fetchMaxBytes((int) (10 * MB)) * 50).isLessThanOrEqualTo(200 * MB / 5);

        budget.planned(1000);
        assertThat(budget.producerBuffer(128 * MB)).isEqualTo(MB);
        assertThat(budget.fetchMaxBytes((int) (10 * MB))).isEqualTo(256 * 1024);
        assertThat(budget.maxPollRecords(20_000)).isEqualTo(500);
    }

    @Test
    void batchesLetEveryPartitionOfAProducerHaveOneOpenBatchInHalfItsBuffer() {
        assertThat(ReplicationBudget.batchSize(128 * MB, 512 * 1024, 2)).isEqualTo(512 * 1024);
        assertThat(ReplicationBudget.batchSize(4 * MB, 512 * 1024, 2)).isEqualTo(512 * 1024);
        assertThat(ReplicationBudget.batchSize(2 * MB, 512 * 1024, 4)).isEqualTo(256 * 1024);
        assertThat(ReplicationBudget.batchSize(2 * MB, 512 * 1024, 20)).isEqualTo(2 * MB / 40);
        assertThat(ReplicationBudget.batchSize(64 * 1024, 512 * 1024, 1)).isEqualTo(16 * 1024);
    }

    @Test
    void aFetchSpreadsOverTheThreadsPartitionsWithinBounds() {
        assertThat(ReplicationBudget.partitionFetchBytes((int) (2 * MB), 2, (int) MB)).isEqualTo(MB);
        assertThat(ReplicationBudget.partitionFetchBytes((int) (2 * MB), 16, (int) MB)).isEqualTo(128 * 1024);
        assertThat(ReplicationBudget.partitionFetchBytes((int) MB, 20, (int) MB)).isEqualTo(64 * 1024);
        assertThat(ReplicationBudget.partitionFetchBytes((int) MB, 0, (int) MB)).isEqualTo(MB);
    }

    @Test
    void clientsAreMadeAgainOnlyOnceTheirShareHalvedOrDoubled() {
        assertThat(ReplicationBudget.outgrown(8 * MB, 5 * MB)).isFalse();
        assertThat(ReplicationBudget.outgrown(8 * MB, 15 * MB)).isFalse();
        assertThat(ReplicationBudget.outgrown(8 * MB, 4 * MB - 1)).isTrue();
        assertThat(ReplicationBudget.outgrown(8 * MB, 16 * MB + 1)).isTrue();
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
