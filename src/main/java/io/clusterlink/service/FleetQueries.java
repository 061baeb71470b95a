package io.clusterlink.service;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.clusterlink.link.ClusterLinkException;
import io.clusterlink.link.Link;
import io.clusterlink.link.Mirror;
import io.clusterlink.store.LinkStore;

/** Which instance of the fleet does what, by name. */
@ApplicationScoped
public class FleetQueries {

    /** A mirror partition, by the names a user knows. */
    @Schema(name = "FleetMirrorPartition", description = "A mirror partition an instance copies",
            requiredProperties = { "link_name", "mirror_topic_name", "partition" })
    public record OwnedPartition(String linkName, String mirrorTopicName, int partition) {
    }

    /** One live instance: the links whose sync tasks it runs and the mirror partitions it holds. */
    @Schema(name = "FleetInstance", description = "A live instance of the service: the links whose sync tasks "
            + "(consumer offset, ACL and config sync, auto-create) it runs and the mirror partitions it copies",
            requiredProperties = { "instance_id", "links", "mirror_partitions" })
    public record Instance(String instanceId, List<String> links, List<OwnedPartition> mirrorPartitions) {
    }

    /** The fleet as the instance that answers sees it. */
    @Schema(name = "FleetData", description = "The live instances of the service and what each one owns, as the "
            + "instance that answered (instance_id) sees them", requiredProperties = { "instance_id", "instances" })
    public record View(String instanceId, List<Instance> instances) {
    }

    private final Fleet fleet;
    private final LinkStore store;

    FleetQueries(Fleet fleet, LinkStore store) {
        this.fleet = fleet;
        this.store = store;
    }

    public View view() {
        Fleet.Ownership ownership;
        try {
            ownership = fleet.ownership();
        } catch (IllegalStateException e) {
            throw new ClusterLinkException.ClusterUnavailable(e.getMessage(), e);
        }
        Map<Long, Link> links = store.listAllLinks().stream().collect(Collectors.toMap(Link::id, Function.identity()));
        Map<Long, Mirror> mirrors = store.listAllMirrors().stream()
                .collect(Collectors.toMap(Mirror::id, Function.identity()));
        Map<String, List<String>> linksOf = new TreeMap<>();
        Map<String, List<OwnedPartition>> partitionsOf = new TreeMap<>();
        ownership.members().forEach(m -> {
            linksOf.put(m, new ArrayList<>());
            partitionsOf.put(m, new ArrayList<>());
        });
        ownership.links().forEach((id, instance) -> {
            Link l = links.get(id);
            if (l != null) {
                linksOf.computeIfAbsent(instance, k -> new ArrayList<>()).add(l.name());
            }
        });
        ownership.partitions().forEach((id, instance) -> {
            Mirror m = mirrors.get(id.mirrorId());
            if (m != null) {
                partitionsOf.computeIfAbsent(instance, k -> new ArrayList<>())
                        .add(new OwnedPartition(m.linkName(), m.mirrorTopic(), id.partition()));
            }
        });
        List<Instance> instances = new ArrayList<>();
        linksOf.forEach((instance, names) -> {
            names.sort(Comparator.naturalOrder());
            List<OwnedPartition> parts = partitionsOf.getOrDefault(instance, new ArrayList<>());
            parts.sort(Comparator.comparing(OwnedPartition::linkName).thenComparing(OwnedPartition::mirrorTopicName)
                    .thenComparingInt(OwnedPartition::partition));
            instances.add(new Instance(instance, names, parts));
        });
        partitionsOf.forEach((instance, parts) -> {
            if (!linksOf.containsKey(instance)) {
                instances.add(new Instance(instance, List.of(), parts));
            }
        });
        return new View(fleet.instanceId(), instances);
    }
}
