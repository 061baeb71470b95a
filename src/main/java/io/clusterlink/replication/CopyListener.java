package io.clusterlink.replication;

import io.clusterlink.link.MirrorTopicError;

/** What the copy threads and partition starts report; called from their threads, must not block long. */
interface CopyListener {

    /** The mirror can no longer be exact: it goes {@code FAILED} with this error and message. */
    void failed(long mirrorId, MirrorTopicError error, String message);

    /** Source retention deleted records before they were copied; the mirror partition now starts at {@code newStart}. */
    void recordsSkipped(long mirrorId, int partition, long count, long newStart);

    /**
     * A partition does not make progress for a reason that may pass (the destination refuses or does
     * not acknowledge writes, a start cannot complete); {@code message} null when it moves again.
     */
    void problem(long mirrorId, int partition, String message);
}
