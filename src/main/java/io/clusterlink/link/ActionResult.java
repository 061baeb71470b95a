package io.clusterlink.link;

import java.util.List;

/** The outcome of a mirror action for one topic: an error, or none and the current lags. */
public record ActionResult(String mirrorTopic, Integer errorCode, String errorMessage, List<PartitionLag> lags) {

    public static ActionResult ok(String topic, List<PartitionLag> lags) {
        return new ActionResult(topic, null, null, lags);
    }

    public static ActionResult error(String topic, int code, String message) {
        return new ActionResult(topic, code, message, List.of());
    }
}
