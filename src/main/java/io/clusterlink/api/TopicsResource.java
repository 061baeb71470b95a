package io.clusterlink.api;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.clusterlink.service.TopicService;

/** The topics of a destination cluster: {@code /kafka/v3/clusters/{cluster_id}/topics} (list, get, delete). */
@Path("/kafka/v3/clusters")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Topics (v3)", description = "The topics of a destination cluster, mirror topics included")
public class TopicsResource {

    private final TopicService topics;

    TopicsResource(TopicService topics) {
        this.topics = topics;
    }

    @GET
    @Path("/{cluster_id}/topics")
    @Operation(summary = "List the topics of a destination cluster")
    public V3.ResourceList<V3.TopicData> list(@PathParam("cluster_id") String clusterId, @Context UriInfo uri) {
        return V3Views.list("KafkaTopicList", uri,
                topics.list(clusterId).stream().map(t -> V3Views.topic(uri, clusterId, t)).toList());
    }

    @GET
    @Path("/{cluster_id}/topics/{topic_name}")
    @Operation(summary = "Get a topic")
    public V3.TopicData get(@PathParam("cluster_id") String clusterId, @PathParam("topic_name") String topic,
            @Context UriInfo uri) {
        return V3Views.topic(uri, clusterId, topics.get(clusterId, topic));
    }

    @DELETE
    @Path("/{cluster_id}/topics/{topic_name}")
    @Operation(summary = "Delete a topic", description = "Deletes the topic. A mirror topic's mirror is deleted "
            + "with it, in any state: its copy is stopped first, so that no copied record lands after the delete. "
            + "204 on success.")
    public Response delete(@PathParam("cluster_id") String clusterId, @PathParam("topic_name") String topic) {
        topics.delete(clusterId, topic);
        return Response.noContent().build();
    }
}
