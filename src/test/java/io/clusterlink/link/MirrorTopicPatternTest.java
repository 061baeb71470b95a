package io.clusterlink.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class MirrorTopicPatternTest {

    @Test
    void matchesWholeNames() {
        MirrorTopicPattern pattern = MirrorTopicPattern.compile("orders-.*");

        assertThat(pattern.matches("orders-eu")).isTrue();
        assertThat(pattern.matches("x-orders-eu")).isFalse();
    }

    @Test
    void catastrophicPatternsAreRefusedQuickly() {
        String name = "a".repeat(240) + "!";
        for (String regex : new String[] { "((a+)+)+c", "(.*a){20}", "((a|aa)+)+(b|c)" }) {
            MirrorTopicPattern pattern = MirrorTopicPattern.compile(regex);
            long started = System.nanoTime();

            assertThatThrownBy(() -> pattern.matches(name)).as(regex)
                    .isInstanceOf(ClusterLinkException.InvalidRequest.class)
                    .hasMessageStartingWith("mirror_topic_name_pattern is too expensive to evaluate");

            assertThat(Duration.ofNanos(System.nanoTime() - started)).as(regex).isLessThan(Duration.ofMillis(900));
        }
    }

    @Test
    void patternsTheJdkMatchesWithoutBacktrackingAreAnswered() {
        String name = "a".repeat(240) + "!";
        for (String regex : new String[] { "(a+)+$", "(a|aa)+b", "(a*)*b", "(a|a?)+b" }) {
            long started = System.nanoTime();

            boolean matches = MirrorTopicPattern.compile(regex).matches(name);

            assertThat(matches).as(regex).isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as(regex).isLessThan(Duration.ofMillis(900));
        }
    }

    @Test
    void theBudgetCoversAllNamesOfOneRequest() {
        MirrorTopicPattern pattern = MirrorTopicPattern.compile("(a|aa)+", 10_000);
        String name = "a".repeat(200);

        assertThatThrownBy(() -> {
            for (int i = 0; i < 1_000; i++) {
                pattern.matches(name);
            }
        }).isInstanceOf(ClusterLinkException.InvalidRequest.class);
    }

    @Test
    void ordinaryPatternsOnManyLongNamesStayWithinTheBudget() {
        MirrorTopicPattern pattern = MirrorTopicPattern.compile("[a-z]+\\.(orders|payments)-[0-9]{1,3}");
        String name = "a".repeat(230) + ".orders-123";

        for (int i = 0; i < 5_000; i++) {
            assertThat(pattern.matches(name)).isTrue();
        }
    }

    @Test
    void invalidAndOverlongPatternsAreBadRequests() {
        assertThatThrownBy(() -> MirrorTopicPattern.compile("(unclosed"))
                .isInstanceOf(ClusterLinkException.InvalidRequest.class)
                .hasMessageStartingWith("mirror_topic_name_pattern is not a valid regular expression");
        assertThatThrownBy(() -> MirrorTopicPattern.compile("a".repeat(1001)))
                .isInstanceOf(ClusterLinkException.InvalidRequest.class)
                .hasMessage("mirror_topic_name_pattern is longer than 1000 characters");
    }
}
