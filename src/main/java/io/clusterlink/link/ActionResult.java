package io.clusterlink.link;

import java.util.List;

/**
 * The outcome of a mirror action for one topic: an error, or none and the current lags; for
 * truncate-and-restore also the records set aside per partition ({@code null} for other actions).
 */
public record ActionResult(String mirrorTopic, Integer errorCode, String errorMessage, List<PartitionLag> lags,
        List<PartitionTruncation> truncations) {

    public static ActionResult ok(String topic, List<PartitionLag> lags) {
        return new ActionResult(topic, null, null, lags, null);
    }

    public static ActionResult restored(String topic, List<PartitionLag> lags, List<PartitionTruncation> truncations) {
        return new ActionResult(topic, null, null, lags, List.copyOf(truncations));
    }

    public static ActionResult error(String topic, int code, String message) {
        return new ActionResult(topic, code, message, List.of(), null);
    }

    /** The same outcome, named for the topic the request named. */
    public ActionResult withTopic(String topic) {
        return new ActionResult(topic, errorCode, errorMessage, lags, truncations);
    }

    /** The records set aside in all partitions, {@code null} when the action sets none aside. */
    public Long messagesTruncated() {
        return truncations == null ? null
                : truncations.stream().mapToLong(PartitionTruncation::messagesTruncated).sum();
    }
}
