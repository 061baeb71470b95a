package io.clusterlink.replication;

import io.clusterlink.link.MirrorTopicError;

/** What a copy task reports; called from copy threads, must not block long. */
interface CopyListener {

    void failed(long mirrorId, MirrorTopicError error, String message);

    void recordsSkipped(long mirrorId, int partition, long count, long newStart);
}
