package io.clusterlink.link;

import java.util.List;

/**
 * A mirror topic as stored. Offsets lists are indexed by partition; {@code stopOffsets} is null
 * until a promote takes them or a stop finishes. {@code creating} while its topic and read-only
 * ACL are being made.
 */
public record Mirror(long id, long linkId, String linkName, String clusterId, String mirrorTopic, String sourceTopic,
        String sourceTopicId, int partitions, MirrorStatus status, MirrorTopicError error, String statusMessage,
        long stateTimeMs, List<Long> startOffsets, List<Long> stopOffsets, StopMode stopMode, boolean creating) {
}
