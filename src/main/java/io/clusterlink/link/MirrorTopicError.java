package io.clusterlink.link;

public enum MirrorTopicError {
    NO_ERROR,
    SOURCE_TOPIC_MAY_BE_DELETED,
    SOURCE_TOPIC_ID_CHANGED,
    SOURCE_PARTITIONS_DECREASED,
    UNEXPECTED_TRUNCATION,
    ILLEGAL_STATE,
    /** A source record the mirror can never hold as it is (no timestamp, larger than the destination takes). */
    UNSUPPORTED_MESSAGE_FORMAT,
    UNKNOWN
}
