package io.clusterlink.replication;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PartitionProgressTest {

    @Test
    void positionIsTheAcknowledgedEndWhileWritesAreInFlight() {
        PartitionProgress p = new PartitionProgress(0);
        p.reset(10);
        p.beforeSend();
        p.beforeSend();
        p.sentUpTo(12);
        p.sourceEnd(20);

        assertThat(p.copiedPosition()).isEqualTo(10);
        p.acknowledged(11);
        assertThat(p.copiedPosition()).isEqualTo(11);
        p.acknowledged(12);
        assertThat(p.copiedPosition()).isEqualTo(12);
        assertThat(p.lag().lag()).isEqualTo(8);
        assertThat(p.lag().lastSourceFetchOffset()).isEqualTo(20);
    }

    @Test
    void trailingNonDataOffsetsCountAsCopiedOnceNothingIsInFlight() {
        PartitionProgress p = new PartitionProgress(0);
        p.reset(5);
        p.sentUpTo(6);
        p.sourceEnd(6);

        assertThat(p.copiedPosition()).isEqualTo(6);
        assertThat(p.lag().lag()).isZero();
    }

    @Test
    void reachesStopOnlyWhenAlignedAndCopiedUpToIt() {
        PartitionProgress p = new PartitionProgress(0);
        p.stopOffset(5L);
        p.reset(3);
        p.sentUpTo(9);
        assertThat(p.reachedStop()).isFalse();

        p.aligned(true);
        assertThat(p.copiedPosition()).isEqualTo(5);
        assertThat(p.reachedStop()).isTrue();
    }

    @Test
    void lagIsZeroBeforeTheFirstFetch() {
        PartitionProgress p = new PartitionProgress(2);

        assertThat(p.lag().lag()).isZero();
        assertThat(p.lag().lastSourceFetchOffset()).isEqualTo(-1);
        assertThat(p.lag().partition()).isEqualTo(2);
    }
}
