package io.clusterlink.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.clusterlink.link.ClusterLinkException;
import io.clusterlink.service.LinkService;

/** Links and their configs: {@code /kafka/v3/clusters/{cluster_id}/links}. */
@Path("/kafka/v3/clusters")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Cluster Linking (v3)", description = "Cluster links and their configs")
public class LinksResource {

    private final LinkService links;

    LinksResource(LinkService links) {
        this.links = links;
    }

    @GET
    @Path("/{cluster_id}/links")
    @Operation(operationId = "listKafkaLinks", summary = "List the cluster links")
    public V3.ResourceList<V3.LinkData> list(@PathParam("cluster_id") String clusterId, @Context UriInfo uri) {
        return V3Views.list("KafkaLinkDataList", uri,
                links.list(clusterId).stream().map(v -> V3Views.link(uri, v)).toList());
    }

    @POST
    @Path("/{cluster_id}/links")
    @Operation(operationId = "createKafkaLink", summary = "Create a cluster link",
            description = "Connects to the source (unless validate_link=false) "
                    + "and stores the link. 204 on success.")
    public Response create(@PathParam("cluster_id") String clusterId, @QueryParam("link_name") String linkName,
            @QueryParam("validate_only") String validateOnly, @QueryParam("validate_link") String validateLink,
            @RequestBody(required = false) V3.CreateLinkRequest body) {
        V3.CreateLinkRequest request = body == null ? new V3.CreateLinkRequest(null, null, null, null, null) : body;
        if (request.destinationClusterId() != null || request.remoteClusterId() != null) {
            throw new ClusterLinkException.InvalidRequest("Only destination-initiated links are supported: give "
                    + "source_cluster_id, not destination_cluster_id or remote_cluster_id");
        }
        List<LinkService.ConfigValue> configs = new ArrayList<>();
        if (request.configs() != null) {
            for (V3.ConfigData c : request.configs()) {
                configs.add(c == null ? null : new LinkService.ConfigValue(c.name(), c.value()));
            }
        }
        links.create(clusterId, linkName, request.sourceClusterId(), configs,
                Params.bool("validate_only", validateOnly, false), Params.bool("validate_link", validateLink, true));
        return Response.noContent().build();
    }

    @GET
    @Path("/{cluster_id}/links/{link_name}")
    @Operation(operationId = "getKafkaLink", summary = "Get a cluster link")
    public V3.LinkData get(@PathParam("cluster_id") String clusterId, @PathParam("link_name") String linkName,
            @QueryParam("include_tasks") String includeTasks, @Context UriInfo uri) {
        return V3Views.link(uri, links.get(clusterId, linkName, Params.bool("include_tasks", includeTasks, false)));
    }

    @DELETE
    @Path("/{cluster_id}/links/{link_name}")
    @Operation(operationId = "deleteKafkaLink", summary = "Delete a cluster link",
            description = "409 while it has mirror topics that are not "
                    + "STOPPED, unless force=true, which fails them over first.")
    @APIResponse(responseCode = "200", description = "Deleted (no content, as Confluent answers)")
    public Response delete(@PathParam("cluster_id") String clusterId, @PathParam("link_name") String linkName,
            @QueryParam("force") String force, @QueryParam("validate_only") String validateOnly) {
        links.delete(clusterId, linkName, Params.bool("force", force, false),
                Params.bool("validate_only", validateOnly, false));
        return Response.ok().build();
    }

    @GET
    @Path("/{cluster_id}/links/{link_name}/configs")
    @Operation(operationId = "listKafkaLinkConfigs", summary = "List the configs of a cluster link")
    public V3.ResourceList<V3.LinkConfigData> configs(@PathParam("cluster_id") String clusterId,
            @PathParam("link_name") String linkName, @Context UriInfo uri) {
        return V3Views.list("KafkaLinkConfigDataList", uri, links.configs(clusterId, linkName).stream()
                .map(c -> V3Views.config(uri, clusterId, linkName, c)).toList());
    }

    @GET
    @Path("/{cluster_id}/links/{link_name}/configs/{config_name}")
    @Operation(operationId = "getKafkaLinkConfigs", summary = "Get one config of a cluster link")
    public V3.LinkConfigData config(@PathParam("cluster_id") String clusterId, @PathParam("link_name") String linkName,
            @PathParam("config_name") String name, @Context UriInfo uri) {
        return V3Views.config(uri, clusterId, linkName, links.config(clusterId, linkName, name));
    }

    @PUT
    @Path("/{cluster_id}/links/{link_name}/configs/{config_name}")
    @Operation(operationId = "updateKafkaLinkConfig", summary = "Set one config of a cluster link")
    public Response put(@PathParam("cluster_id") String clusterId, @PathParam("link_name") String linkName,
            @PathParam("config_name") String name, V3.UpdateConfigRequest body) {
        if (body == null || body.value() == null) {
            throw new ClusterLinkException.InvalidRequest("A body {\"value\": \"...\"} is required");
        }
        links.alter(clusterId, linkName, List.of(new LinkService.ConfigChange(name, body.value(), false)), false);
        return Response.noContent().build();
    }

    @DELETE
    @Path("/{cluster_id}/links/{link_name}/configs/{config_name}")
    @Operation(operationId = "deleteKafkaLinkConfig", summary = "Reset one config of a cluster link to its default")
    public Response reset(@PathParam("cluster_id") String clusterId, @PathParam("link_name") String linkName,
            @PathParam("config_name") String name) {
        links.alter(clusterId, linkName, List.of(new LinkService.ConfigChange(name, null, true)), false);
        return Response.noContent().build();
    }

    @PUT
    @Path("/{cluster_id}/links/{link_name}/configs:alter")
    @Operation(operationId = "updateKafkaLinkConfigBatch",
            summary = "Set or reset several configs of a cluster link at once")
    public Response alter(@PathParam("cluster_id") String clusterId, @PathParam("link_name") String linkName,
            @QueryParam("validate_only") String validateOnly, V3.AlterConfigBatchRequest body) {
        if (body == null || body.data() == null) {
            throw new ClusterLinkException.InvalidRequest("A body {\"data\": [...]} is required");
        }
        List<LinkService.ConfigChange> changes = new ArrayList<>();
        for (V3.AlterConfig c : body.data()) {
            if (c == null) {
                throw new ClusterLinkException.InvalidRequest("'data' must not contain null");
            }
            String op = c.operation() == null ? "SET" : c.operation().toUpperCase(Locale.ROOT);
            if (!op.equals("SET") && !op.equals("DELETE")) {
                throw new ClusterLinkException.InvalidRequest("Config operation must be SET or DELETE");
            }
            changes.add(new LinkService.ConfigChange(c.name(), c.value(), op.equals("DELETE")));
        }
        boolean dryRun = Params.bool("validate_only", validateOnly, false)
                || Boolean.TRUE.equals(body.validateOnly());
        links.alter(clusterId, linkName, changes, dryRun);
        return Response.noContent().build();
    }

    /** {@code configs:alter} with a percent-encoded colon: path parameters are decoded, literals are not. */
    @PUT
    @Path("/{cluster_id}/links/{link_name}/{configs_action}")
    @Operation(hidden = true)
    public Response alterEncoded(@PathParam("cluster_id") String clusterId, @PathParam("link_name") String linkName,
            @PathParam("configs_action") String configsAction, @QueryParam("validate_only") String validateOnly,
            V3.AlterConfigBatchRequest body) {
        if (!"configs:alter".equals(configsAction)) {
            throw new ClusterLinkException.NotFound("Not found");
        }
        return alter(clusterId, linkName, validateOnly, body);
    }
}
