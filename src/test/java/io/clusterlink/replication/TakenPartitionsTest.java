package io.clusterlink.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.clusterlink.service.Fleet;

/** What a partition taken from the fleet is given back with, also when its mirror left the plan in between. */
class TakenPartitionsTest {

    private static final Fleet.MirrorPartitionId P0 = new Fleet.MirrorPartitionId(7, 0);
    private static final Fleet.MirrorPartitionId P1 = new Fleet.MirrorPartitionId(7, 1);

    private final TakenPartitions taken = new TakenPartitions();
    private final PartitionProgress[] progress = { new PartitionProgress(0, true), new PartitionProgress(1) };

    @Test
    void aPartitionTakenFromAVanishedWriterWhileItsMirrorIsOutOfThePlanIsGivenBackAsNotQuiet() {
        taken.taken(List.of(new Fleet.Acquired(P0, false)));
        taken.apply(id -> null); // paused between the two reads of the round

        assertThat(taken.quiet(P0, progress)).as("its old progress says quiet, but a vanished writer left it")
                .isFalse();
        taken.released(P0);
        assertThat(taken.quiet(P0, progress)).isTrue();
    }

    @Test
    void aQuietPartitionTakenWhileItsMirrorIsOutOfThePlanIsGivenBackAsQuiet() {
        PartitionProgress[] fresh = { new PartitionProgress(0), new PartitionProgress(1) };
        taken.taken(List.of(new Fleet.Acquired(P1, true)));
        taken.apply(id -> null);

        assertThat(taken.quiet(P1, fresh)).as("nothing was written since it was taken quiet").isTrue();
        assertThat(taken.quiet(P1, null)).isTrue();
    }

    @Test
    void whatWasTakenGoesToTheProgressOnceTheMirrorIsInThePlanAndTheProgressSaysFromThen() {
        taken.taken(List.of(new Fleet.Acquired(P0, false), new Fleet.Acquired(P1, true)));
        taken.apply(id -> null);
        taken.apply(Map.of(7L, progress)::get);

        assertThat(progress[0].quiet()).isFalse();
        assertThat(progress[1].quiet()).isTrue();
        progress[0].quiet(true); // its start fenced the old writer
        assertThat(taken.quiet(P0, progress)).isTrue();
    }
}
