package io.clusterlink.link;

import java.util.List;

/** A mirror with its shown status (link states folded in) and live per-partition lags. */
public record MirrorView(Mirror mirror, MirrorStatus shownStatus, List<PartitionLag> lags) {
}
