package io.clusterlink.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.clusterlink.service.FleetQueries;

/** The instances sharing the work, and who copies what (not part of the Confluent API). */
@Path("/fleet")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Fleet", description = "The service instances that share the replication work")
public class FleetResource {

    private final FleetQueries fleet;

    FleetResource(FleetQueries fleet) {
        this.fleet = fleet;
    }

    @GET
    @Operation(operationId = "getFleet",
            summary = "List the live instances with the links and mirror partitions each one owns",
            description = "Each mirror partition is copied, and each link's sync tasks run, on the instance that "
                    + "holds its PostgreSQL advisory lock; instance_id is the instance that answered.")
    public FleetQueries.View get() {
        return fleet.view();
    }
}
