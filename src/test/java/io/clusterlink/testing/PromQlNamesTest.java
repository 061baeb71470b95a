package io.clusterlink.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The metric names a dashboard or alert expression reads, and nothing else. */
class PromQlNamesTest {

    @Test
    void aggregationsFunctionsLabelsRangesNumbersAndVariablesAreNoMetrics() {
        assertThat(PromQlNames.of("histogram_quantile(0.95, sum by (link, task, le) (rate("
                + "clusterlink_link_task_duration_seconds_bucket{cluster=~\"$cluster\",link=~\"a|b\"}[$__rate_interval])))"))
                .containsExactly("clusterlink_link_task_duration_seconds_bucket");
        assertThat(PromQlNames.of("sum by (cluster, link) (clusterlink_mirrors{state=\"FAILED\"}) > 0 unless on "
                + "(cluster, link) count by (cluster, link) (clusterlink_mirror_partition_lag_records offset 5m)"))
                .containsExactly("clusterlink_mirror_partition_lag_records", "clusterlink_mirrors");
        assertThat(PromQlNames.of("max by (link) (a_total) / ignoring (x) group_left (y) b_bytes >= bool 1e3"))
                .containsExactly("a_total", "b_bytes");
    }

    @Test
    void aLabelValuesQueryNamesOnlyItsMetric() {
        assertThat(PromQlNames.ofVariableQuery("label_values(clusterlink_link_state{cluster=~\"$cluster\"}, link)"))
                .containsExactly("clusterlink_link_state");
        assertThat(PromQlNames.ofVariableQuery("label_values(link)")).isEmpty();
        assertThat(PromQlNames.ofVariableQuery("query_result(topk(5, clusterlink_mirrors))"))
                .containsExactly("clusterlink_mirrors");
    }
}
