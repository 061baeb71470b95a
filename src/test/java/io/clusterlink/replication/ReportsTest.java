package io.clusterlink.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** A copy thread's report survives a database that is briefly away, and keeps its place. */
class ReportsTest {

    private final Reports reports = new Reports();
    private final List<String> applied = new ArrayList<>();

    @Test
    void aReportThatFailsStaysFirstAndIsAppliedOnALaterRun() {
        AtomicInteger attempts = new AtomicInteger();
        reports.add("failure of mirror 1", () -> {
            if (attempts.incrementAndGet() < 3) {
                throw new IllegalStateException("connection refused");
            }
            applied.add("failed 1");
        });
        reports.add("skipped records of mirror 2", () -> applied.add("skipped 2"));

        // The database is away for two runs: nothing is applied, nothing is lost, nothing overtakes
        assertThat(reports.applyAll()).isFalse();
        assertThat(reports.applyAll()).isFalse();
        assertThat(applied).isEmpty();
        assertThat(reports.pending()).isEqualTo(2);

        // It is back: both are applied, in order, once
        assertThat(reports.applyAll()).isTrue();
        assertThat(applied).containsExactly("failed 1", "skipped 2");
        assertThat(reports.pending()).isZero();
        assertThat(reports.applyAll()).isTrue();
        assertThat(applied).hasSize(2);
    }
}
