package io.clusterlink.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class LinkLifecycleTest {

    private static final LinkSettings PAUSED = LinkConfigs.settings(Map.of("cluster.link.paused", "true"));
    private static final LinkSettings RUNNING = LinkConfigs.settings(Map.of());

    @Test
    void pausedFollowsTheConfig() {
        assertThat(LinkLifecycle.initial(PAUSED)).isEqualTo(LinkState.PAUSED);
        assertThat(LinkLifecycle.initial(RUNNING)).isEqualTo(LinkState.ACTIVE);
        assertThat(LinkLifecycle.afterConfigChange(LinkState.ACTIVE, PAUSED)).contains(LinkState.PAUSED);
        assertThat(LinkLifecycle.afterConfigChange(LinkState.UNAVAILABLE, PAUSED)).contains(LinkState.PAUSED);
        assertThat(LinkLifecycle.afterConfigChange(LinkState.PAUSED, RUNNING)).contains(LinkState.ACTIVE);
        assertThat(LinkLifecycle.afterConfigChange(LinkState.PAUSED, PAUSED)).isEmpty();
        assertThat(LinkLifecycle.afterConfigChange(LinkState.UNAVAILABLE, RUNNING)).isEmpty();
    }

    @Test
    void availabilityMovesOnlyActiveAndUnavailableLinks() {
        assertThat(LinkLifecycle.afterAvailabilityCheck(LinkState.ACTIVE, false)).contains(LinkState.UNAVAILABLE);
        assertThat(LinkLifecycle.afterAvailabilityCheck(LinkState.UNAVAILABLE, true)).contains(LinkState.ACTIVE);
        assertThat(LinkLifecycle.afterAvailabilityCheck(LinkState.ACTIVE, true)).isEmpty();
        assertThat(LinkLifecycle.afterAvailabilityCheck(LinkState.PAUSED, false)).isEmpty();
        assertThat(LinkLifecycle.afterAvailabilityCheck(LinkState.FAILED, true)).isEmpty();
    }

    @Test
    void tasksOfAPausedOrUnavailableLinkRunOnlyWhenTheySaySo() {
        assertThat(LinkLifecycle.taskRuns(LinkState.ACTIVE, false, false)).isTrue();
        assertThat(LinkLifecycle.taskRuns(LinkState.PAUSED, false, true)).isFalse();
        assertThat(LinkLifecycle.taskRuns(LinkState.PAUSED, true, false)).isTrue();
        assertThat(LinkLifecycle.taskRuns(LinkState.UNAVAILABLE, true, false)).isFalse();
        assertThat(LinkLifecycle.taskRuns(LinkState.UNAVAILABLE, false, true)).isTrue();
        assertThat(LinkLifecycle.taskStateOf(LinkState.PAUSED)).isEqualTo(Optional.of("LINK_PAUSED"));
        assertThat(LinkLifecycle.taskStateOf(LinkState.UNAVAILABLE)).isEqualTo(Optional.of("LINK_UNAVAILABLE"));
        assertThat(LinkLifecycle.taskStateOf(LinkState.ACTIVE)).isEmpty();
    }
}
