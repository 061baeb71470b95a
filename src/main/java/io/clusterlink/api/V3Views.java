package io.clusterlink.api;

import java.util.List;

import jakarta.ws.rs.core.UriInfo;

import io.clusterlink.link.ActionResult;
import io.clusterlink.link.ConfigEntry;
import io.clusterlink.link.Link;
import io.clusterlink.link.LinkView;
import io.clusterlink.link.MirrorStatus;
import io.clusterlink.link.MirrorView;
import io.clusterlink.link.PartitionLag;
import io.clusterlink.link.TopicInfo;

/** Builds v3 response bodies from the link services' views. */
final class V3Views {

    private V3Views() {
    }

    static String base(UriInfo uri) {
        String b = uri.getBaseUri().toString();
        return b.endsWith("/") ? b.substring(0, b.length() - 1) : b;
    }

    static String clusterUrl(UriInfo uri, String clusterId) {
        return base(uri) + "/kafka/v3/clusters/" + clusterId;
    }

    static String linkUrl(UriInfo uri, String clusterId, String linkName) {
        return clusterUrl(uri, clusterId) + "/links/" + linkName;
    }

    static <T> V3.ResourceList<T> list(String kind, UriInfo uri, List<T> data) {
        return new V3.ResourceList<>(kind, new V3.ListMetadata(uri.getRequestUri().toString(), null), data);
    }

    static V3.LinkData link(UriInfo uri, LinkView view) {
        Link l = view.link();
        List<V3.LinkTask> tasks = view.tasks() == null ? null
                : view.tasks().stream().map(t -> new V3.LinkTask(t.name(), t.state(),
                        t.errors().stream().map(e -> new V3.LinkTaskError(e.code(), e.message())).toList())).toList();
        return new V3.LinkData("KafkaLinkData", new V3.Metadata(linkUrl(uri, l.clusterId(), l.name()), null),
                l.sourceClusterId(), null, null, l.name(), l.clusterLinkId(), l.clusterLinkId(), view.topicNames(),
                l.state().name(), l.error().name(), l.errorMessage(), view.readOnly().enforced(),
                view.readOnly().message(), tasks, view.categoryCounts().entrySet().stream()
                        .map(e -> new V3.LinkCategory(e.getKey().name(), e.getValue())).toList());
    }

    static V3.LinkConfigData config(UriInfo uri, String clusterId, String linkName, ConfigEntry c) {
        return new V3.LinkConfigData("KafkaLinkConfigData",
                new V3.Metadata(linkUrl(uri, clusterId, linkName) + "/configs/" + c.name(), null), clusterId, c.name(),
                c.value(), c.isDefault(), c.isReadOnly(), c.isSensitive(),
                c.isDefault() ? "DEFAULT_CONFIG" : "DYNAMIC_CLUSTER_LINK_CONFIG", List.of(), linkName);
    }

    static V3.MirrorData mirror(UriInfo uri, MirrorView v) {
        return mirror(uri, v, v.shownStatus());
    }

    /** The mirror showing {@code status} (the shown status, or its nearest for a client that knows fewer states). */
    static V3.MirrorData mirror(UriInfo uri, MirrorView v, MirrorStatus status) {
        var m = v.mirror();
        List<V3.LinkTaskError> transitionErrors = v.transitionErrors() == null ? null
                : v.transitionErrors().stream().map(e -> new V3.LinkTaskError(e.code(), e.message())).toList();
        return new V3.MirrorData("KafkaMirrorData",
                new V3.Metadata(linkUrl(uri, m.clusterId(), m.linkName()) + "/mirrors/" + m.mirrorTopic(), null),
                m.linkName(), m.mirrorTopic(), m.sourceTopic(), m.partitions(), lags(v.lags()), status.name(),
                m.error().name(), v.statusMessage(), m.stateTimeMs(), transitionErrors);
    }

    static V3.TopicData topic(UriInfo uri, String clusterId, TopicInfo t) {
        String self = clusterUrl(uri, clusterId) + "/topics/" + t.name();
        return new V3.TopicData("KafkaTopic", new V3.Metadata(self, null), clusterId, t.name(), t.internal(),
                t.replicationFactor(), t.partitions(), new V3.Related(self + "/partitions"),
                new V3.Related(self + "/configs"), new V3.Related(self + "/partitions/-/reassignments"));
    }

    static List<V3.MirrorLag> lags(List<PartitionLag> lags) {
        return lags.stream().map(l -> new V3.MirrorLag(l.partition(), l.lag(), l.lastSourceFetchOffset(),
                l.alignmentFilledOffsets(), l.alignmentTargetOffset(), l.stopOffset())).toList();
    }

    static V3.AlterMirrorsData action(UriInfo uri, String clusterId, String linkName, ActionResult r) {
        return action(uri, clusterId, linkName, r, false);
    }

    /** An action's result; with {@code perPartition} also what truncate-and-restore set aside per partition. */
    static V3.AlterMirrorsData action(UriInfo uri, String clusterId, String linkName, ActionResult r,
            boolean perPartition) {
        String self = linkName == null ? base(uri) + "/mirrors/" + r.mirrorTopic()
                : linkUrl(uri, clusterId, linkName) + "/mirrors/" + r.mirrorTopic();
        List<V3.PartitionLevelTruncationData> truncations = perPartition && r.truncations() != null
                ? r.truncations().stream().map(t -> new V3.PartitionLevelTruncationData(t.partition(),
                        t.offsetTruncatedTo(), t.messagesTruncated())).toList()
                : null;
        return new V3.AlterMirrorsData("AlterMirrorsData", new V3.Metadata(self, null), r.mirrorTopic(),
                r.errorCode(), r.errorMessage(), lags(r.lags()), r.messagesTruncated(), truncations);
    }
}
