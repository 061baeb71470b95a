package io.clusterlink.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class LagHistoryTest {

    private static LagHistory.Sample sample(long atMs, long... lags) {
        List<LagHistory.PartitionSample> partitions = new java.util.ArrayList<>();
        for (int p = 0; p < lags.length; p++) {
            partitions.add(new LagHistory.PartitionSample(p, lags[p], lags[p] < 0 ? -1 : lags[p] * 10, 100));
        }
        return new LagHistory.Sample(atMs, partitions);
    }

    @Test
    void aMirrorsLagIsTheSumOfItsPartitionsAndUnknownWhenOneIs() {
        assertThat(sample(0, 50, 0, 7).recordsLag()).isEqualTo(57);
        assertThat(sample(0, 50, 0, 7).maxTimeLagMs()).isEqualTo(500);
        assertThat(sample(0, 50, -1, 7).recordsLag()).isEqualTo(-1);
        assertThat(sample(0, 50, -1, 7).maxTimeLagMs()).isEqualTo(-1);
        assertThat(sample(0).recordsLag()).isZero();
    }

    @Test
    void aSeriesKeepsAtMostItsCapacityAndNothingOlderThanTheHistory() {
        LagHistory.Series series = new LagHistory.Series();
        for (int i = 0; i < 10; i++) {
            series.add(sample(i * 1000L, i), 4, i * 1000L - 60_000);
        }

        assertThat(series.points()).extracting(LagHistory.Point::atMs).containsExactly(6000L, 7000L, 8000L, 9000L);
        assertThat(series.points()).extracting(LagHistory.Point::recordsLag).containsExactly(6L, 7L, 8L, 9L);
        assertThat(series.latest().atMs()).isEqualTo(9000);

        series.add(sample(20_000, -1), 4, 20_000 - 2_500);
        assertThat(series.points()).containsExactly(new LagHistory.Point(20_000, -1, -1));
    }

    @Test
    void aSampleOlderThanTheLatestIsDropped() {
        LagHistory.Series series = new LagHistory.Series();
        series.add(sample(2000, 5), 10, 0);

        series.add(sample(1000, 9), 10, 0);

        assertThat(series.latest().recordsLag()).isEqualTo(5);
        assertThat(series.points()).containsExactly(new LagHistory.Point(2000, 5, 50));
    }
}
