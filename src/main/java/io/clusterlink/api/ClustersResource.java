package io.clusterlink.api;

import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.clusterlink.service.ClusterService;

@Path("/kafka/v3/clusters")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Clusters", description = "The destination clusters this service manages")
public class ClustersResource {

    private final ClusterService clusters;

    ClustersResource(ClusterService clusters) {
        this.clusters = clusters;
    }

    @GET
    @Operation(operationId = "listKafkaClusters", summary = "List the destination clusters")
    public V3.ResourceList<V3.Cluster> list(@Context UriInfo uri) {
        List<V3.Cluster> data = clusters.list().stream().map(c -> cluster(uri, c)).toList();
        return V3Views.list("KafkaClusterList", uri, data);
    }

    @GET
    @Path("/{cluster_id}")
    @Operation(operationId = "getKafkaCluster", summary = "Get a destination cluster")
    public V3.Cluster get(@PathParam("cluster_id") String clusterId, @Context UriInfo uri) {
        return cluster(uri, clusters.byId(clusterId));
    }

    private V3.Cluster cluster(UriInfo uri, String clusterId) {
        String self = V3Views.clusterUrl(uri, clusterId);
        return new V3.Cluster("KafkaCluster", new V3.Metadata(self, null), clusterId,
                new V3.Related(self + "/links"), new V3.Related(self + "/topics"),
                clusters.bootstrapServers(clusterId));
    }
}
