package io.clusterlink.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsResult;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;

import io.clusterlink.config.ClusterlinkConfig;
import io.clusterlink.link.Link;

/**
 * Consumer groups on both sides of a link: their names, committed offsets, whether a destination
 * group is in use, and writing a destination group's offsets. Failures are
 * {@link KafkaCallException}s.
 */
@ApplicationScoped
public class ConsumerGroups {

    /** Destination groups that have no members (so their offsets may be written), and those that could not be told. */
    public record Idle(Set<String> groups, Map<String, KafkaCallException> unknown) {
    }

    private final SourceClusters sources;
    private final DestinationClusters destinations;
    private final Duration destinationTimeout;

    ConsumerGroups(SourceClusters sources, DestinationClusters destinations, ClusterlinkConfig config) {
        this.sources = sources;
        this.destinations = destinations;
        this.destinationTimeout = config.destinationTimeout();
    }

    /** Names of the consumer groups (classic and consumer protocol, including simple groups) of the source. */
    public List<String> sourceGroups(Link link) {
        return groups(sources.admin(link), sources.timeout());
    }

    /** Committed offsets of all partitions, per source group. */
    public Map<String, Map<TopicPartition, OffsetAndMetadata>> sourceOffsets(Link link, Collection<String> groups) {
        return committed(sources.admin(link), groups, null, sources.timeout());
    }

    public List<String> destinationGroups(DestinationCluster cluster) {
        return groups(destinations.admin(cluster), destinationTimeout);
    }

    /** Committed offsets per destination group, of all partitions or of {@code partitions}. */
    public Map<String, Map<TopicPartition, OffsetAndMetadata>> destinationOffsets(DestinationCluster cluster,
            Collection<String> groups, List<TopicPartition> partitions) {
        return committed(destinations.admin(cluster), groups, partitions, destinationTimeout);
    }

    /** Which of {@code groups} have no members on the destination; a group that does not exist yet is one of them. */
    public Idle idle(DestinationCluster cluster, Collection<String> groups) {
        Set<String> idle = new TreeSet<>();
        Map<String, KafkaCallException> unknown = new TreeMap<>();
        if (groups.isEmpty()) {
            return new Idle(idle, unknown);
        }
        Map<String, KafkaFuture<ConsumerGroupDescription>> described = destinations.admin(cluster)
                .describeConsumerGroups(groups).describedGroups();
        for (String group : new TreeSet<>(groups)) {
            try {
                ConsumerGroupDescription d = KafkaFutures.await(described.get(group), destinationTimeout);
                GroupState state = d.groupState();
                if (d.members().isEmpty() && (state == GroupState.EMPTY || state == GroupState.DEAD)) {
                    idle.add(group);
                }
            } catch (KafkaCallException e) {
                if (e.is(KafkaErrors.Kind.INTERRUPTED)) {
                    throw e;
                }
                if (e.is(KafkaErrors.Kind.GROUP_NOT_FOUND)) {
                    idle.add(group);
                } else {
                    unknown.put(group, e);
                }
            }
        }
        return new Idle(idle, unknown);
    }

    /**
     * Writes a destination group's offsets; false when the group got members meanwhile (the
     * coordinator refuses the write then).
     */
    public boolean write(DestinationCluster cluster, String group, Map<TopicPartition, OffsetAndMetadata> offsets) {
        try {
            KafkaFutures.await(destinations.admin(cluster).alterConsumerGroupOffsets(group, offsets).all(),
                    destinationTimeout);
            return true;
        } catch (KafkaCallException e) {
            if (e.is(KafkaErrors.Kind.GROUP_ACTIVE)) {
                return false;
            }
            throw e;
        }
    }

    private static List<String> groups(Admin admin, Duration timeout) {
        Collection<GroupListing> listings = KafkaFutures.await(admin.listGroups(ListGroupsOptions.forConsumerGroups()
                .timeoutMs((int) timeout.toMillis())).all(), timeout);
        return listings.stream().map(GroupListing::groupId).sorted().toList();
    }

    /** Partitions without an offset are left out, and so are groups that vanished meanwhile. */
    private static Map<String, Map<TopicPartition, OffsetAndMetadata>> committed(Admin admin,
            Collection<String> groups, List<TopicPartition> partitions, Duration timeout) {
        Map<String, Map<TopicPartition, OffsetAndMetadata>> result = new LinkedHashMap<>();
        if (groups.isEmpty()) {
            return result;
        }
        Map<String, ListConsumerGroupOffsetsSpec> specs = new LinkedHashMap<>();
        groups.forEach(g -> specs.put(g, new ListConsumerGroupOffsetsSpec().topicPartitions(partitions)));
        ListConsumerGroupOffsetsResult listed = admin.listConsumerGroupOffsets(specs);
        for (String group : groups) {
            try {
                Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>(KafkaFutures.await(
                        listed.partitionsToOffsetAndMetadata(group), timeout));
                offsets.values().removeIf(o -> o == null || o.offset() < 0);
                result.put(group, offsets);
            } catch (KafkaCallException e) {
                if (!e.is(KafkaErrors.Kind.GROUP_NOT_FOUND)) {
                    throw e;
                }
            }
        }
        return result;
    }
}
