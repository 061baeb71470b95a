package io.clusterlink.link;

import java.util.List;

/**
 * A mirror with its shown status (link states folded in), per-partition lags, and the message to
 * show: the stored one (why it failed, what was skipped), else what the data plane is doing with it
 * (alignment progress, a destination that refuses writes). {@code transitionErrors}, oldest first,
 * only when asked for (null otherwise).
 */
public record MirrorView(Mirror mirror, MirrorStatus shownStatus, List<PartitionLag> lags, String statusMessage,
        List<TransitionError> transitionErrors) {
}
