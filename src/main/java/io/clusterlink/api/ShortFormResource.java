package io.clusterlink.api;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
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
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.clusterlink.link.ClusterLinkException;
import io.clusterlink.link.MirrorAction;
import io.clusterlink.service.ClusterService;
import io.clusterlink.service.MirrorActions;

/**
 * Short forms on the default destination cluster ({@code clusterlink.default-cluster}):
 * {@code /links}, {@code /links/{link}/mirrors}, {@code /mirrors/{topic}:promote} and the other
 * actions. They call the same handlers as the full v3 paths.
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Short forms", description = "The v3 link and mirror API on the default destination cluster")
public class ShortFormResource {

    private final ClusterService clusters;
    private final LinksResource links;
    private final MirrorsResource mirrorsResource;
    private final MirrorActions mirrors;

    ShortFormResource(ClusterService clusters, LinksResource links, MirrorsResource mirrorsResource,
            MirrorActions mirrors) {
        this.clusters = clusters;
        this.links = links;
        this.mirrorsResource = mirrorsResource;
        this.mirrors = mirrors;
    }

    private String cluster() {
        return clusters.defaultClusterId();
    }

    @GET
    @Path("links")
    @Operation(operationId = "listLinksOnDefaultCluster", summary = "List links on the default cluster")
    public V3.ResourceList<V3.LinkData> listLinks(@Context UriInfo uri) {
        return links.list(cluster(), uri);
    }

    @POST
    @Path("links")
    @Operation(operationId = "createLinkOnDefaultCluster", summary = "Create a link on the default cluster")
    public Response createLink(@QueryParam("link_name") String linkName,
            @QueryParam("validate_only") String validateOnly,
            @QueryParam("validate_link") String validateLink,
            @RequestBody(required = false) V3.CreateLinkRequest body) {
        return links.create(cluster(), linkName, validateOnly, validateLink, body);
    }

    @GET
    @Path("links/{link_name}")
    @Operation(operationId = "getLinkOnDefaultCluster", summary = "Get a link on the default cluster")
    public V3.LinkData getLink(@PathParam("link_name") String linkName,
            @QueryParam("include_tasks") String includeTasks,
            @Context UriInfo uri) {
        return links.get(cluster(), linkName, includeTasks, uri);
    }

    @DELETE
    @Path("links/{link_name}")
    @Operation(operationId = "deleteLinkOnDefaultCluster", summary = "Delete a link on the default cluster")
    @APIResponse(responseCode = "200", description = "Deleted (no content, as Confluent answers)")
    public Response deleteLink(@PathParam("link_name") String linkName, @QueryParam("force") String force,
            @QueryParam("validate_only") String validateOnly) {
        return links.delete(cluster(), linkName, force, validateOnly);
    }

    @GET
    @Path("links/{link_name}/mirrors")
    @Operation(operationId = "listMirrorTopicsOnDefaultCluster",
            summary = "List mirror topics of a link on the default cluster")
    public V3.ResourceList<V3.MirrorData> listMirrors(@PathParam("link_name") String linkName,
            @QueryParam("mirror_status") String status,
            @Parameter(hidden = true) @HeaderParam(HttpHeaders.USER_AGENT) String userAgent,
            @Context UriInfo uri) {
        return mirrorsResource.list(cluster(), linkName, status, userAgent, uri);
    }

    @POST
    @Path("links/{link_name}/mirrors")
    @Operation(operationId = "createMirrorTopicOnDefaultCluster",
            summary = "Create a mirror topic on the default cluster")
    public Response createMirror(@PathParam("link_name") String linkName, V3.CreateMirrorRequest body) {
        return mirrorsResource.create(cluster(), linkName, body);
    }

    @GET
    @Path("links/{link_name}/mirrors/{mirror_topic_name}")
    @Operation(operationId = "readMirrorTopicOnDefaultCluster", summary = "Get a mirror topic on the default cluster")
    public V3.MirrorData getMirror(@PathParam("link_name") String linkName,
            @PathParam("mirror_topic_name") String topic,
            @QueryParam("include_state_transition_errors") String includeStateTransitionErrors,
            @Parameter(hidden = true) @HeaderParam(HttpHeaders.USER_AGENT) String userAgent, @Context UriInfo uri) {
        return mirrorsResource.get(cluster(), linkName, topic, includeStateTransitionErrors, userAgent, uri);
    }

    @POST
    @Path("mirrors/{topic_action}")
    @Consumes(MediaType.WILDCARD)
    @Operation(operationId = "actOnMirrorTopicOnDefaultCluster",
            summary = "Act on one mirror topic of the default cluster",
            description = "The path is '<mirror topic>:<action>' with action promote, failover, pause or resume.")
    public V3.ResourceList<V3.AlterMirrorsData> act(@PathParam("topic_action") String topicAction,
            @QueryParam("validate_only") String validateOnly, @Context UriInfo uri) {
        int colon = topicAction.lastIndexOf(':');
        MirrorAction action = colon < 0 ? null : MirrorAction.fromPath(topicAction.substring(colon + 1))
                .filter(a -> !a.reverses()).orElse(null);
        if (action == null) {
            throw new ClusterLinkException.NotFound(
                    "Use /mirrors/<topic>:promote, :failover, :pause or :resume");
        }
        var result = mirrors.actOnTopic(topicAction.substring(0, colon), action,
                Params.bool("validate_only", validateOnly, false));
        return V3Views.list("KafkaPromoteMirror", uri, java.util.List.of(V3Views.action(uri, null, null, result)));
    }
}
