package io.clusterlink.service;

import java.util.Locale;

/**
 * Why a mirror partition's copy started again from the mirror's verified end offset: the
 * {@code cause} label of {@code clusterlink_mirror_restarts_total}. A restart never loses or
 * repeats a record (the next start verifies the mirror's tail); many of them mean the copy does
 * not move well.
 */
public enum RestartCause {
    /** A write failed or the producer refused a record (the destination refused it, or did not answer). */
    WRITE_FAILED,
    /** The source log diverged from the mirror at a known offset (e.g. an unclean leader election). */
    SOURCE_TRUNCATED,
    /** The source no longer has the next offset (retention overtook the mirror, or the log was truncated). */
    SOURCE_OUT_OF_RANGE,
    /** The source refused to be read (authorization). */
    SOURCE_REFUSED,
    /** The copy thread met an unexpected error: all its partitions started again. */
    THREAD_FAILED,
    /** A start could not tell the source's compression; it started again after some records to choose. */
    CODEC_CHOSEN,
    /** A start did not complete (a cluster did not answer, the mirror's end kept moving) and was tried again. */
    START_RETRIED;

    /** The label value: the name in lower case. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
