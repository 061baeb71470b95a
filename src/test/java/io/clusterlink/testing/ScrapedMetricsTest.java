package io.clusterlink.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

class ScrapedMetricsTest {

    @Test
    void readsLabelsWithEscapesAndValuesOfAnyLength() {
        // Given a scrape with an escaped quote and backslash in one label and a 100,000-character value in another
        String longValue = "x".repeat(100_000);
        String text = "# HELP m a metric\n"
                + "m{a=\"say \\\"hi\\\" \\\\ there\",b=\"" + longValue + "\"} 2.0\n"
                + "n 3.5\n";

        // When it is read
        ScrapedMetrics metrics = ScrapedMetrics.parse(text);

        // Then both samples are there with their labels unescaped
        assertThat(metrics.value("m", Map.of("a", "say \"hi\" \\ there", "b", longValue))).isEqualTo(2.0);
        assertThat(metrics.value("n", Map.of())).isEqualTo(3.5);
    }
}
