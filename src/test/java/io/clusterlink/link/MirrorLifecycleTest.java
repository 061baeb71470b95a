package io.clusterlink.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class MirrorLifecycleTest {

    private static final Set<MirrorStatus> STORED = EnumSet.of(MirrorStatus.PENDING_MIRROR, MirrorStatus.ACTIVE,
            MirrorStatus.PAUSED, MirrorStatus.PENDING_STOPPED, MirrorStatus.STOPPED, MirrorStatus.FAILED);
    private static final Set<MirrorStatus> DERIVED = EnumSet.of(MirrorStatus.SOURCE_UNAVAILABLE,
            MirrorStatus.LINK_PAUSED, MirrorStatus.LINK_FAILED);

    @Test
    void theTransitionTableIsExactly() {
        assertThat(MirrorLifecycle.next(MirrorStatus.PENDING_MIRROR)).containsExactlyInAnyOrder(MirrorStatus.ACTIVE,
                MirrorStatus.PENDING_STOPPED, MirrorStatus.FAILED);
        assertThat(MirrorLifecycle.next(MirrorStatus.ACTIVE)).containsExactlyInAnyOrder(MirrorStatus.PAUSED,
                MirrorStatus.PENDING_STOPPED, MirrorStatus.FAILED);
        assertThat(MirrorLifecycle.next(MirrorStatus.PAUSED)).containsExactlyInAnyOrder(MirrorStatus.ACTIVE,
                MirrorStatus.PENDING_STOPPED, MirrorStatus.FAILED);
        assertThat(MirrorLifecycle.next(MirrorStatus.PENDING_STOPPED)).containsExactlyInAnyOrder(MirrorStatus.STOPPED,
                MirrorStatus.FAILED);
        assertThat(MirrorLifecycle.next(MirrorStatus.FAILED)).containsExactly(MirrorStatus.PENDING_STOPPED);
        assertThat(MirrorLifecycle.next(MirrorStatus.STOPPED)).isEmpty();
        for (MirrorStatus derived : DERIVED) {
            assertThat(MirrorLifecycle.next(derived)).isEmpty();
        }
        for (MirrorStatus s : MirrorStatus.values()) {
            assertThat(MirrorLifecycle.next(s)).doesNotContainAnyElementsOf(DERIVED);
        }
    }

    @Test
    void everyNamedMoveIsLegalFromEachOfItsStates() {
        List<MirrorLifecycle.Move> moves = new java.util.ArrayList<>(List.of(MirrorLifecycle.ALIGNED,
                MirrorLifecycle.STOP_FINISHED, MirrorLifecycle.FAIL));
        for (MirrorAction a : MirrorAction.values()) {
            // Truncate-and-restore moves no mirror: the stopped one stays STOPPED, the restored one is created.
            if (a != MirrorAction.TRUNCATE_AND_RESTORE) {
                moves.add(MirrorLifecycle.move(a));
            }
        }
        for (MirrorLifecycle.Move move : moves) {
            assertThat(move.from()).isNotEmpty();
            for (MirrorStatus from : move.from()) {
                assertThat(MirrorLifecycle.canMove(from, move.to())).as(from + " -> " + move.to()).isTrue();
            }
        }
    }

    @Test
    void eachActionIsAllowedExactlyInItsStatesAndLinkStates() {
        for (MirrorAction action : MirrorAction.values()) {
            for (MirrorStatus status : STORED) {
                for (LinkState link : LinkState.values()) {
                    Mirror m = mirror(status, StopMode.NONE, MirrorTopicError.NO_ERROR);
                    boolean allowed = switch (action) {
                        case PROMOTE -> EnumSet.of(MirrorStatus.PENDING_MIRROR, MirrorStatus.ACTIVE,
                                MirrorStatus.PAUSED).contains(status) && link != LinkState.PAUSED;
                        case FAILOVER -> status != MirrorStatus.STOPPED;
                        case PAUSE -> status == MirrorStatus.ACTIVE;
                        case RESUME -> status == MirrorStatus.PAUSED;
                        // A stopped mirror is reversed without a move; one that mirrors is promoted first.
                        case REVERSE_AND_START, REVERSE_AND_PAUSE -> EnumSet.of(MirrorStatus.PENDING_MIRROR,
                                MirrorStatus.ACTIVE, MirrorStatus.PAUSED).contains(status) && link != LinkState.PAUSED;
                        // Only a stopped mirror with stop offsets (none here) is restored.
                        case TRUNCATE_AND_RESTORE -> false;
                    };
                    String label = action + " on " + status + " (link " + link + ")";
                    if (allowed) {
                        MirrorLifecycle.check(action, m, link);
                        if (status != MirrorStatus.PENDING_STOPPED) {
                            assertThat(MirrorLifecycle.move(action).from()).as(label).contains(status);
                        }
                    } else {
                        assertThatThrownBy(() -> MirrorLifecycle.check(action, m, link)).as(label)
                                .isInstanceOf(ClusterLinkException.InvalidRequest.class);
                    }
                }
            }
        }
    }

    @Test
    void aStoppedMirrorIsReversedFromItsStopOffsetsAndAStoppingOneOnceItIsStopped() {
        MirrorLifecycle.check(MirrorAction.REVERSE_AND_START, mirror(MirrorStatus.STOPPED, StopMode.PROMOTE,
                MirrorTopicError.NO_ERROR), LinkState.ACTIVE);
        assertThatThrownBy(() -> MirrorLifecycle.check(MirrorAction.REVERSE_AND_PAUSE, mirror(MirrorStatus.STOPPED,
                StopMode.NONE, MirrorTopicError.NO_ERROR), LinkState.ACTIVE))
                .hasMessage("Topic 't' has no stop offsets to continue from");
        assertThatThrownBy(() -> MirrorLifecycle.check(MirrorAction.REVERSE_AND_START,
                mirror(MirrorStatus.PENDING_STOPPED, StopMode.PROMOTE, MirrorTopicError.NO_ERROR), LinkState.ACTIVE))
                .hasMessage("Topic 't' is stopping its mirror from 'l': reverse it once it is STOPPED");
        assertThat(MirrorLifecycle.reversed(MirrorAction.REVERSE_AND_PAUSE)).isEqualTo(MirrorStatus.PAUSED);
        assertThat(MirrorLifecycle.reversed(MirrorAction.REVERSE_AND_START)).isEqualTo(MirrorStatus.ACTIVE);
    }

    @Test
    void onlyAStoppedMirrorWithStopOffsetsIsTruncatedAndRestored() {
        MirrorLifecycle.check(MirrorAction.TRUNCATE_AND_RESTORE, mirror(MirrorStatus.STOPPED, StopMode.PROMOTE,
                MirrorTopicError.NO_ERROR), LinkState.PAUSED);
        assertThatThrownBy(() -> MirrorLifecycle.check(MirrorAction.TRUNCATE_AND_RESTORE, mirror(MirrorStatus.STOPPED,
                StopMode.NONE, MirrorTopicError.NO_ERROR), LinkState.ACTIVE))
                .hasMessage("Topic 't' has no stop offsets to truncate to");
        assertThatThrownBy(() -> MirrorLifecycle.check(MirrorAction.TRUNCATE_AND_RESTORE,
                mirror(MirrorStatus.ACTIVE, StopMode.NONE, MirrorTopicError.NO_ERROR), LinkState.ACTIVE))
                .hasMessage("Topic 't' is ACTIVE: truncate-and-restore needs a STOPPED mirror (promote or fail it "
                        + "over first)");
    }

    @Test
    void refusalsSayWhyAndWhatToDoInstead() {
        assertThatThrownBy(() -> MirrorLifecycle.check(MirrorAction.PAUSE, mirror(MirrorStatus.PAUSED, StopMode.NONE,
                MirrorTopicError.NO_ERROR), LinkState.ACTIVE)).hasMessage("Topic 't' is PAUSED and can only be paused "
                        + "when ACTIVE");
        assertThatThrownBy(() -> MirrorLifecycle.check(MirrorAction.PROMOTE, mirror(MirrorStatus.FAILED,
                StopMode.NONE, MirrorTopicError.ILLEGAL_STATE), LinkState.ACTIVE))
                .hasMessage(
                        "Topic 't' is FAILED (ILLEGAL_STATE): it cannot catch up; use failover to make it writable");
        assertThatThrownBy(() -> MirrorLifecycle.check(MirrorAction.PROMOTE, mirror(MirrorStatus.ACTIVE,
                StopMode.NONE, MirrorTopicError.NO_ERROR), LinkState.PAUSED))
                .hasMessage("Cluster link 'l' is paused: resume it (cluster.link.paused=false) or use failover");
        assertThatThrownBy(() -> MirrorLifecycle.check(MirrorAction.FAILOVER, mirror(MirrorStatus.STOPPED,
                StopMode.PROMOTE, MirrorTopicError.NO_ERROR), LinkState.ACTIVE))
                .hasMessage("Topic 't' has already stopped its mirror from 'l'");
    }

    @Test
    void onlyAligningActiveAndPromotingMirrorsOfUnpausedLinksReplicate() {
        for (MirrorStatus status : STORED) {
            for (StopMode mode : StopMode.values()) {
                for (LinkState link : LinkState.values()) {
                    boolean expected = link != LinkState.PAUSED && (status == MirrorStatus.PENDING_MIRROR
                            || status == MirrorStatus.ACTIVE
                            || status == MirrorStatus.PENDING_STOPPED && mode == StopMode.PROMOTE);
                    assertThat(MirrorLifecycle.replicates(mirror(status, mode, MirrorTopicError.NO_ERROR), link))
                            .as(status + "/" + mode + "/" + link).isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void aMirrorBeingCreatedIsNeitherCopiedNorMadeReadOnlyByThePeriodicCheck() {
        Mirror creating = new Mirror(1, 2, "l", "c", "t", "t", "id", 1, MirrorStatus.PENDING_MIRROR,
                MirrorTopicError.NO_ERROR, null, 0, List.of(0L), null, StopMode.NONE, true);

        assertThat(MirrorLifecycle.replicates(creating, LinkState.ACTIVE)).isFalse();
        assertThat(MirrorLifecycle.keptReadOnly(creating)).isFalse();
        assertThat(MirrorLifecycle.keptReadOnly(mirror(MirrorStatus.PENDING_MIRROR, StopMode.NONE,
                MirrorTopicError.NO_ERROR))).isTrue();
    }

    @Test
    void stopModeTellsAPromoteFromAFailover() {
        Mirror promoting = mirror(MirrorStatus.PENDING_STOPPED, StopMode.PROMOTE, MirrorTopicError.NO_ERROR);
        Mirror failingOver = mirror(MirrorStatus.PENDING_STOPPED, StopMode.FAILOVER, MirrorTopicError.NO_ERROR);
        assertThat(MirrorLifecycle.promoting(promoting)).isTrue();
        assertThat(MirrorLifecycle.failingOver(promoting)).isFalse();
        assertThat(MirrorLifecycle.promoting(failingOver)).isFalse();
        assertThat(MirrorLifecycle.failingOver(failingOver)).isTrue();
        assertThat(MirrorLifecycle.offsetsSynced(promoting)).isTrue();
        assertThat(MirrorLifecycle.offsetsSynced(failingOver)).isFalse();
        assertThat(MirrorLifecycle.stopping(promoting) && MirrorLifecycle.stopping(failingOver)).isTrue();
    }

    @Test
    void readOnlySyncedAndGrowingStates() {
        for (MirrorStatus s : STORED) {
            boolean mirroring = EnumSet.of(MirrorStatus.PENDING_MIRROR, MirrorStatus.ACTIVE, MirrorStatus.PAUSED)
                    .contains(s);
            assertThat(MirrorLifecycle.readOnly(s)).as("read-only " + s).isEqualTo(mirroring
                    || s == MirrorStatus.FAILED);
            assertThat(MirrorLifecycle.grows(s)).as("grows " + s).isEqualTo(mirroring);
            assertThat(MirrorLifecycle.configsSynced(mirror(s, StopMode.NONE, MirrorTopicError.NO_ERROR)))
                    .as("configs " + s).isEqualTo(mirroring);
            assertThat(MirrorLifecycle.live(s)).isEqualTo(s != MirrorStatus.STOPPED);
            assertThat(MirrorLifecycle.hasLag(s)).isEqualTo(s != MirrorStatus.STOPPED);
        }
        Mirror mayBeDeleted = mirror(MirrorStatus.FAILED, StopMode.NONE, MirrorTopicError.SOURCE_TOPIC_MAY_BE_DELETED);
        assertThat(MirrorLifecycle.sourceMayBeDeleted(mayBeDeleted)).isTrue();
        assertThat(MirrorLifecycle.configsSynced(mayBeDeleted)).isTrue();
    }

    @Test
    void aligningAndActiveMirrorsShowTheStateOfALinkThatIsNotActive() {
        for (MirrorStatus s : STORED) {
            Mirror m = mirror(s, StopMode.NONE, MirrorTopicError.NO_ERROR);
            boolean follows = s == MirrorStatus.ACTIVE || s == MirrorStatus.PENDING_MIRROR;
            assertThat(MirrorLifecycle.shown(m, LinkState.ACTIVE)).isEqualTo(s);
            assertThat(MirrorLifecycle.shown(m, null)).isEqualTo(s);
            assertThat(MirrorLifecycle.shown(m, LinkState.PAUSED)).isEqualTo(follows ? MirrorStatus.LINK_PAUSED : s);
            assertThat(MirrorLifecycle.shown(m, LinkState.UNAVAILABLE))
                    .isEqualTo(follows ? MirrorStatus.SOURCE_UNAVAILABLE : s);
            assertThat(MirrorLifecycle.shown(m, LinkState.FAILED)).isEqualTo(follows ? MirrorStatus.LINK_FAILED : s);
        }
    }

    @Test
    void fiveStateClientsSeeTheStatesTheyDecodeAndActiveForAnAligningOrHeldMirror() {
        Set<MirrorStatus> five = EnumSet.of(MirrorStatus.ACTIVE, MirrorStatus.FAILED, MirrorStatus.PAUSED,
                MirrorStatus.STOPPED, MirrorStatus.PENDING_STOPPED);
        for (MirrorStatus s : MirrorStatus.values()) {
            assertThat(MirrorLifecycle.fiveStateStatus(s)).isIn(five);
        }
        for (MirrorStatus s : five) {
            assertThat(MirrorLifecycle.fiveStateStatus(s)).isEqualTo(s);
        }
        for (MirrorStatus held : List.of(MirrorStatus.PENDING_MIRROR, MirrorStatus.LINK_PAUSED,
                MirrorStatus.LINK_FAILED, MirrorStatus.SOURCE_UNAVAILABLE)) {
            assertThat(MirrorLifecycle.fiveStateStatus(held)).isEqualTo(MirrorStatus.ACTIVE);
        }
    }

    @Test
    void everyShownStateHasTheCategoryItsPartitionsCountIn() {
        assertThat(MirrorLifecycle.category(MirrorStatus.ACTIVE)).isEqualTo(StateCategory.ACTIVE);
        assertThat(MirrorLifecycle.category(MirrorStatus.PAUSED)).isEqualTo(StateCategory.PAUSED);
        assertThat(MirrorLifecycle.category(MirrorStatus.LINK_PAUSED)).isEqualTo(StateCategory.PAUSED);
        assertThat(MirrorLifecycle.category(MirrorStatus.FAILED)).isEqualTo(StateCategory.IN_ERROR);
        assertThat(MirrorLifecycle.category(MirrorStatus.LINK_FAILED)).isEqualTo(StateCategory.IN_ERROR);
        assertThat(MirrorLifecycle.category(MirrorStatus.SOURCE_UNAVAILABLE)).isEqualTo(StateCategory.IN_ERROR);
        assertThat(MirrorLifecycle.category(MirrorStatus.PENDING_MIRROR)).isEqualTo(StateCategory.PENDING);
        assertThat(MirrorLifecycle.category(MirrorStatus.PENDING_STOPPED)).isEqualTo(StateCategory.PENDING);
        assertThat(MirrorLifecycle.category(MirrorStatus.STOPPED)).isEqualTo(StateCategory.NOT_APPLICABLE);
    }

    private static Mirror mirror(MirrorStatus status, StopMode mode, MirrorTopicError error) {
        return new Mirror(1, 2, "l", "c", "t", "t", "id", 1, status, error, null, 0, List.of(0L),
                mode == StopMode.PROMOTE ? List.of(10L) : null, mode, false);
    }
}
