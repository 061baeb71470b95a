package io.clusterlink.replication;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReplicationBudgetTest {

    private static final long MB = 1024 * 1024;

    @Test
    void buffersAreSharedOverThePlannedCopyThreadsWithinBounds() {
        ReplicationBudget budget = new ReplicationBudget(200 * MB, 64);

        budget.planned(2);
        assertThat(budget.producerBuffer(128 * MB)).isEqualTo(50 * MB);
        assertThat(budget.fetchMaxBytes((int) (10 * MB))).isEqualTo((int) (10 * MB));

        budget.planned(100);
        assertThat(budget.producerBuffer(128 * MB)).isEqualTo(4 * MB);
        assertThat(budget.fetchMaxBytes((int) (10 * MB))).isEqualTo((int) MB);
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
