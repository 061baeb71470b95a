package io.clusterlink.api;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.clusterlink.link.ClusterLinkException;
import io.clusterlink.link.MirrorAction;
import io.clusterlink.link.MirrorStatus;
import io.clusterlink.link.MirrorView;
import io.clusterlink.service.LinkService;
import io.clusterlink.service.MirrorActions;
import io.clusterlink.service.MirrorCreation;
import io.clusterlink.service.MirrorQueries;

/** Mirror topics and the mirror actions: {@code /kafka/v3/clusters/{cluster_id}/links/{link_name}/mirrors}. */
@Path("/kafka/v3/clusters")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Mirror topics (v3)",
        description = "Mirror topics and promote, failover, pause, resume, reverse, truncate-and-restore")
public class MirrorsResource {

    /** Link name that means "all links" in {@code /links/-/mirrors}. */
    static final String ALL_LINKS = "-";

    private final MirrorQueries queries;
    private final MirrorCreation creation;
    private final MirrorActions actions;

    private final FiveStateClients fiveStateClients;

    MirrorsResource(MirrorQueries queries, MirrorCreation creation, MirrorActions actions,
            FiveStateClients fiveStateClients) {
        this.queries = queries;
        this.creation = creation;
        this.actions = actions;
        this.fiveStateClients = fiveStateClients;
    }

    @GET
    @Path("/{cluster_id}/links/{link_name}/mirrors")
    @Operation(operationId = "listKafkaMirrorTopicsUnderLink",
            summary = "List mirror topics of a link ('-' for all links)")
    public V3.ResourceList<V3.MirrorData> list(@PathParam("cluster_id") String clusterId,
            @PathParam("link_name") String linkName, @QueryParam("mirror_status") String status,
            @Parameter(hidden = true) @HeaderParam(HttpHeaders.USER_AGENT) String userAgent, @Context UriInfo uri) {
        String link = ALL_LINKS.equals(linkName) ? null : linkName;
        UnaryOperator<MirrorStatus> shown = s -> fiveStateClients.shown(userAgent, s);
        return V3Views.list("KafkaMirrorDataList", uri, queries.list(clusterId, link, status, shown).stream()
                .map(v -> V3Views.mirror(uri, v, shown.apply(v.shownStatus()))).toList());
    }

    @POST
    @Path("/{cluster_id}/links/{link_name}/mirrors")
    @Operation(operationId = "createKafkaMirrorTopic", summary = "Create a mirror topic",
            description = "Creates the destination topic with the source's "
                    + "partition count and starts mirroring. 204 on success.")
    public Response create(@PathParam("cluster_id") String clusterId, @PathParam("link_name") String linkName,
            V3.CreateMirrorRequest body) {
        if (body == null) {
            throw new ClusterLinkException.InvalidRequest("A body with 'source_topic_name' is required");
        }
        List<LinkService.ConfigValue> configs = null;
        if (body.configs() != null) {
            configs = new ArrayList<>();
            for (V3.ConfigData c : body.configs()) {
                configs.add(c == null ? null : new LinkService.ConfigValue(c.name(), c.value()));
            }
        }
        creation.create(clusterId, linkName, new MirrorCreation.CreateMirror(body.sourceTopicName(),
                body.mirrorTopicName(), body.replicationFactor(), configs));
        return Response.noContent().build();
    }

    @GET
    @Path("/{cluster_id}/links/{link_name}/mirrors/{mirror_topic_name}")
    @Operation(operationId = "readKafkaMirrorTopic", summary = "Get a mirror topic with its per-partition lags")
    public V3.MirrorData get(@PathParam("cluster_id") String clusterId, @PathParam("link_name") String linkName,
            @PathParam("mirror_topic_name") String topic,
            @QueryParam("include_state_transition_errors") String includeStateTransitionErrors,
            @Parameter(hidden = true) @HeaderParam(HttpHeaders.USER_AGENT) String userAgent, @Context UriInfo uri) {
        MirrorView v = queries.get(clusterId, linkName, topic,
                Params.bool("include_state_transition_errors", includeStateTransitionErrors, false));
        return V3Views.mirror(uri, v, fiveStateClients.shown(userAgent, v.shownStatus()));
    }

    @POST
    @Path("/{cluster_id}/links/{link_name}/mirrors:promote")
    @Operation(operationId = "updateKafkaMirrorTopicsPromote", summary = "Promote mirror topics",
            description = "Catches up to the source end offsets taken now, "
                    + "then makes the topics writable (STOPPED). Needs the source.")
    public V3.ResourceList<V3.AlterMirrorsData> promote(@PathParam("cluster_id") String clusterId,
            @PathParam("link_name") String linkName, @QueryParam("validate_only") String validateOnly,
            V3.AlterMirrorsRequest body, @Context UriInfo uri) {
        return act(clusterId, linkName, MirrorAction.PROMOTE, validateOnly, body, uri);
    }

    @POST
    @Path("/{cluster_id}/links/{link_name}/mirrors:failover")
    @Operation(operationId = "updateKafkaMirrorTopicsFailover", summary = "Fail over mirror topics",
            description = "Stops mirroring now, whatever the lag, and makes "
                    + "the topics writable (STOPPED).")
    public V3.ResourceList<V3.AlterMirrorsData> failover(@PathParam("cluster_id") String clusterId,
            @PathParam("link_name") String linkName, @QueryParam("validate_only") String validateOnly,
            V3.AlterMirrorsRequest body, @Context UriInfo uri) {
        return act(clusterId, linkName, MirrorAction.FAILOVER, validateOnly, body, uri);
    }

    @POST
    @Path("/{cluster_id}/links/{link_name}/mirrors:pause")
    @Operation(operationId = "updateKafkaMirrorTopicsPause", summary = "Pause mirror topics")
    public V3.ResourceList<V3.AlterMirrorsData> pause(@PathParam("cluster_id") String clusterId,
            @PathParam("link_name") String linkName, @QueryParam("validate_only") String validateOnly,
            V3.AlterMirrorsRequest body, @Context UriInfo uri) {
        return act(clusterId, linkName, MirrorAction.PAUSE, validateOnly, body, uri);
    }

    @POST
    @Path("/{cluster_id}/links/{link_name}/mirrors:resume")
    @Operation(operationId = "updateKafkaMirrorTopicsResume", summary = "Resume paused mirror topics")
    public V3.ResourceList<V3.AlterMirrorsData> resume(@PathParam("cluster_id") String clusterId,
            @PathParam("link_name") String linkName, @QueryParam("validate_only") String validateOnly,
            V3.AlterMirrorsRequest body, @Context UriInfo uri) {
        return act(clusterId, linkName, MirrorAction.RESUME, validateOnly, body, uri);
    }

    @POST
    @Path("/{cluster_id}/links/{link_name}/mirrors:reverse-and-start-mirror")
    @Operation(summary = "Reverse mirror topics and start them", description = "Promotes each mirror that still "
            + "mirrors, then makes its source topic a mirror of it on the reverse link (the link of the same name on "
            + "the source cluster, whose source is this cluster), continuing from the source topic's end offsets, "
            + "which must equal the stop offsets. Both clusters must be destination clusters of the service.")
    public V3.ResourceList<V3.AlterMirrorsData> reverseAndStart(@PathParam("cluster_id") String clusterId,
            @PathParam("link_name") String linkName, @QueryParam("validate_only") String validateOnly,
            V3.AlterMirrorsRequest body, @Context UriInfo uri) {
        return act(clusterId, linkName, MirrorAction.REVERSE_AND_START, validateOnly, body, uri);
    }

    @POST
    @Path("/{cluster_id}/links/{link_name}/mirrors:reverse-and-pause-mirror")
    @Operation(summary = "Reverse mirror topics, paused", description = "As reverse-and-start-mirror, the source "
            + "topic's new mirror PAUSED.")
    public V3.ResourceList<V3.AlterMirrorsData> reverseAndPause(@PathParam("cluster_id") String clusterId,
            @PathParam("link_name") String linkName, @QueryParam("validate_only") String validateOnly,
            V3.AlterMirrorsRequest body, @Context UriInfo uri) {
        return act(clusterId, linkName, MirrorAction.REVERSE_AND_PAUSE, validateOnly, body, uri);
    }

    @POST
    @Path("/{cluster_id}/links/{link_name}/mirrors:truncate-and-restore")
    @Operation(operationId = "updateKafkaMirrorTopicsTruncateAndRestoreMirror",
            summary = "Truncate diverged source topics and restore them as mirrors",
            description = "For each STOPPED mirror whose source topic got records after the stop (a failover): "
                    + "copies the source topic's records at and past the stop offsets to a recovery topic "
                    + "'<topic>.truncated-<stop time ms>' on the source cluster, then re-creates the source topic as "
                    + "a mirror of this one on the reverse link, offset for offset from this topic's log start. A "
                    + "source topic that did not diverge is reversed as by reverse-and-start-mirror. "
                    + "messages_truncated counts the records set aside. It may also be asked on the old source "
                    + "cluster, as Confluent's clients ask it: on the reverse link there, naming the local topics "
                    + "to restore.")
    public V3.ResourceList<V3.AlterMirrorsData> truncateAndRestore(@PathParam("cluster_id") String clusterId,
            @PathParam("link_name") String linkName, @QueryParam("validate_only") String validateOnly,
            @QueryParam("include_partition_level_truncation_data") String includePartitionLevelTruncationData,
            V3.AlterMirrorsRequest body, @Context UriInfo uri) {
        return act(clusterId, linkName, MirrorAction.TRUNCATE_AND_RESTORE, validateOnly,
                includePartitionLevelTruncationData, body, uri);
    }

    /**
     * The same actions when the client percent-encodes the colon ({@code mirrors%3Apromote}):
     * literal segments match the raw path, path parameters are decoded.
     */
    @POST
    @Path("/{cluster_id}/links/{link_name}/{mirrors_action}")
    @Operation(hidden = true)
    public V3.ResourceList<V3.AlterMirrorsData> encoded(@PathParam("cluster_id") String clusterId,
            @PathParam("link_name") String linkName, @PathParam("mirrors_action") String mirrorsAction,
            @QueryParam("validate_only") String validateOnly,
            @QueryParam("include_partition_level_truncation_data") String includePartitionLevelTruncationData,
            V3.AlterMirrorsRequest body, @Context UriInfo uri) {
        String prefix = "mirrors:";
        MirrorAction action = mirrorsAction.startsWith(prefix)
                ? MirrorAction.fromPath(mirrorsAction.substring(prefix.length())).orElse(null) : null;
        if (action == null) {
            throw new ClusterLinkException.NotFound("Use mirrors:promote, mirrors:failover, mirrors:pause, "
                    + "mirrors:resume, mirrors:reverse-and-start-mirror, mirrors:reverse-and-pause-mirror or "
                    + "mirrors:truncate-and-restore");
        }
        return act(clusterId, linkName, action, validateOnly, includePartitionLevelTruncationData, body, uri);
    }

    private V3.ResourceList<V3.AlterMirrorsData> act(String clusterId, String linkName, MirrorAction action,
            String validateOnly, V3.AlterMirrorsRequest body, UriInfo uri) {
        return act(clusterId, linkName, action, validateOnly, null, body, uri);
    }

    private V3.ResourceList<V3.AlterMirrorsData> act(String clusterId, String linkName, MirrorAction action,
            String validateOnly, String includePartitionLevelTruncationData, V3.AlterMirrorsRequest body,
            UriInfo uri) {
        boolean perPartition = action == MirrorAction.TRUNCATE_AND_RESTORE && Params.bool(
                "include_partition_level_truncation_data", includePartitionLevelTruncationData, false);
        if (body == null) {
            throw new ClusterLinkException.InvalidRequest(
                    "A body with 'mirror_topic_names' or 'mirror_topic_name_pattern' is required");
        }
        var results = actions.act(clusterId, linkName, action, body.mirrorTopicNames(), body.mirrorTopicNamePattern(),
                Params.bool("validate_only", validateOnly, false));
        return V3Views.list("KafkaPromoteMirror", uri,
                results.stream().map(r -> V3Views.action(uri, clusterId, linkName, r, perPartition)).toList());
    }
}
