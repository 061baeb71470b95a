package io.clusterlink.link;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MirrorStatusTest {

    @Test
    void stoppedIsFinal() {
        assertThat(MirrorStatus.STOPPED.next()).isEmpty();
    }

    @Test
    void promoteAndFailoverPassThroughPendingStopped() {
        assertThat(MirrorStatus.ACTIVE.canMoveTo(MirrorStatus.PENDING_STOPPED)).isTrue();
        assertThat(MirrorStatus.PAUSED.canMoveTo(MirrorStatus.PENDING_STOPPED)).isTrue();
        assertThat(MirrorStatus.ACTIVE.canMoveTo(MirrorStatus.STOPPED)).isFalse();
        assertThat(MirrorStatus.PENDING_STOPPED.canMoveTo(MirrorStatus.STOPPED)).isTrue();
    }

    @Test
    void pauseAndResume() {
        assertThat(MirrorStatus.ACTIVE.canMoveTo(MirrorStatus.PAUSED)).isTrue();
        assertThat(MirrorStatus.PAUSED.canMoveTo(MirrorStatus.ACTIVE)).isTrue();
        assertThat(MirrorStatus.PENDING_MIRROR.canMoveTo(MirrorStatus.PAUSED)).isFalse();
    }

    @Test
    void derivedStatesAreNeverTargets() {
        for (MirrorStatus s : MirrorStatus.values()) {
            assertThat(s.next()).doesNotContain(MirrorStatus.LINK_PAUSED, MirrorStatus.LINK_FAILED,
                    MirrorStatus.SOURCE_UNAVAILABLE);
        }
    }

    @Test
    void onlyMirroringStatesReplicate() {
        assertThat(MirrorStatus.ACTIVE.replicates()).isTrue();
        assertThat(MirrorStatus.PENDING_MIRROR.replicates()).isTrue();
        assertThat(MirrorStatus.PAUSED.replicates()).isFalse();
        assertThat(MirrorStatus.STOPPED.replicates()).isFalse();
        assertThat(MirrorStatus.FAILED.replicates()).isFalse();
    }
}
