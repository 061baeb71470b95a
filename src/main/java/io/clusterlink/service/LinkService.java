package io.clusterlink.service;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.common.Uuid;
import org.jboss.logging.Logger;

import io.clusterlink.kafka.DestinationCluster;
import io.clusterlink.kafka.DestinationClusters;
import io.clusterlink.kafka.KafkaCallException;
import io.clusterlink.kafka.SourceClusters;
import io.clusterlink.kafka.SourceTopics;
import io.clusterlink.link.ClusterLinkException;
import io.clusterlink.link.ConfigEntry;
import io.clusterlink.link.Link;
import io.clusterlink.link.LinkConfigs;
import io.clusterlink.link.LinkError;
import io.clusterlink.link.LinkLifecycle;
import io.clusterlink.link.LinkSettings;
import io.clusterlink.link.LinkState;
import io.clusterlink.link.LinkView;
import io.clusterlink.link.Mirror;
import io.clusterlink.link.MirrorLifecycle;
import io.clusterlink.link.StateCategory;
import io.clusterlink.link.TopicNames;
import io.clusterlink.store.LinkStore;

/** Creates, shows, reconfigures and deletes links. */
@ApplicationScoped
public class LinkService {

    private static final Logger LOG = Logger.getLogger(LinkService.class);

    private final LinkStore store;
    private final DestinationClusters clusters;
    private final SourceClusters sources;
    private final SourceTopics sourceTopics;
    private final MirrorActions actions;
    private final ReplicationControl replication;
    private final LinkTasks linkTasks;
    private final ReadOnlyMirrors readOnly;
    private final ConsumerOffsetSync offsetSync;

    LinkService(LinkStore store, DestinationClusters clusters, SourceClusters sources, SourceTopics sourceTopics,
            MirrorActions actions, ReplicationControl replication, LinkTasks linkTasks, ReadOnlyMirrors readOnly,
            ConsumerOffsetSync offsetSync) {
        this.store = store;
        this.clusters = clusters;
        this.sources = sources;
        this.sourceTopics = sourceTopics;
        this.actions = actions;
        this.replication = replication;
        this.linkTasks = linkTasks;
        this.readOnly = readOnly;
        this.offsetSync = offsetSync;
    }

    /** Every link of every cluster: what the periodic sync tasks work on. */
    public List<Link> allLinks() {
        return store.listAllLinks();
    }

    /** Source topic names mirrored on a link, whatever the mirrors' states. */
    public Set<String> mirroredSourceTopics(Link link) {
        return store.listMirrors(link).stream().map(Mirror::sourceTopic).collect(Collectors.toSet());
    }

    /** The mirror topics of a link, whatever their states. */
    public List<Mirror> mirrors(Link link) {
        return store.listMirrors(link);
    }

    /**
     * The outcome of a source availability check: {@code error} null when the source answered,
     * else the reason after too many failed checks in a row.
     */
    public void availabilityChecked(Link link, LinkError error, String message) {
        store.setAvailability(link.id(), error == null, error, message).ifPresent(changed -> {
            if (changed.state() == LinkState.UNAVAILABLE) {
                LOG.warnf("Cluster link '%s' is UNAVAILABLE: %s", link.name(), message);
            } else {
                LOG.infof("Cluster link '%s' is ACTIVE again: its source answers", link.name());
            }
        });
    }

    /** A config item of a create request; {@code value} may be null (rejected by validation). */
    public record ConfigValue(String name, String value) {
    }

    public void create(String clusterId, String linkName, String sourceClusterId, List<ConfigValue> configs,
            boolean validateOnly, boolean validateLink) {
        DestinationCluster cluster = clusters.byId(clusterId);
        TopicNames.checkLink(linkName);
        TopicNames.checkClusterId("source_cluster_id", sourceClusterId);
        checkCount(configs == null ? 0 : configs.size());
        Map<String, String> requested = new LinkedHashMap<>();
        for (ConfigValue c : configs == null ? List.<ConfigValue>of() : configs) {
            if (c == null || c.name() == null || c.name().isBlank()) {
                throw new ClusterLinkException.InvalidRequest("Every config needs a 'name'");
            }
            if (requested.put(c.name(), c.value()) != null) {
                throw new ClusterLinkException.InvalidRequest("Link config '" + TopicNames.printable(c.name())
                        + "' is given twice");
            }
        }
        Map<String, String> valid = LinkConfigs.validate(requested);
        if (store.findLink(cluster.clusterId(), linkName).isPresent()) {
            throw new ClusterLinkException.Conflict("Cluster link '" + linkName + "' already exists");
        }
        String actualSourceId = sourceClusterId;
        if (validateLink) {
            actualSourceId = checkSource(LinkConfigs.settings(valid), sourceClusterId);
        }
        if (validateOnly) {
            return;
        }
        Link link = store.insertLink(cluster.clusterId(), linkName, Uuid.randomUuid().toString(), actualSourceId,
                valid);
        LOG.infof("Created cluster link '%s' on cluster %s to source %s", linkName, cluster.clusterId(),
                link.settings().bootstrapServers());
        replication.wake();
    }

    /**
     * Connects to the source, checks its cluster id against the expected one and that topics can
     * be listed; returns the source cluster id.
     */
    private String checkSource(LinkSettings settings, String expectedId) {
        String actual;
        try {
            actual = sourceTopics.probe(settings.sourceClientProperties());
        } catch (KafkaCallException e) {
            throw new ClusterLinkException.SourceUnavailable("Cannot use the source cluster at "
                    + settings.bootstrapServers() + ": " + e.getMessage(), e);
        }
        if (expectedId != null && !expectedId.isBlank() && !expectedId.equals(actual)) {
            throw new ClusterLinkException.InvalidRequest("The source cluster at " + settings.bootstrapServers()
                    + " has cluster id '" + actual + "', not the expected source_cluster_id '" + expectedId + "'");
        }
        return actual;
    }

    public List<LinkView> list(String clusterId) {
        DestinationCluster cluster = clusters.byId(clusterId);
        return store.listLinks(cluster.clusterId()).stream().map(l -> view(l, false)).toList();
    }

    public LinkView get(String clusterId, String linkName, boolean includeTasks) {
        return view(find(clusterId, linkName), includeTasks);
    }

    Link find(String clusterId, String linkName) {
        DestinationCluster cluster = clusters.byId(clusterId);
        TopicNames.checkLink(linkName);
        return store.findLink(cluster.clusterId(), linkName).orElseThrow(
                () -> new ClusterLinkException.NotFound("Cluster link '" + linkName + "' not found"));
    }

    private LinkView view(Link link, boolean includeTasks) {
        List<Mirror> mirrors = store.listMirrors(link);
        List<String> topics = mirrors.stream().map(Mirror::mirrorTopic).toList();
        return new LinkView(link, topics, readOnly.enforcement(link.clusterId()), categoryCounts(link, mirrors),
                includeTasks ? tasks(link) : null);
    }

    /**
     * The link's mirror partitions by state category, every category listed: Confluent counts
     * partitions (its CLI shows them as "Mirror Partition States Count"), each in its mirror's shown state.
     */
    static Map<StateCategory, Integer> categoryCounts(Link link, List<Mirror> mirrors) {
        Map<StateCategory, Integer> counts = new EnumMap<>(StateCategory.class);
        for (StateCategory c : StateCategory.values()) {
            counts.put(c, 0);
        }
        for (Mirror m : mirrors) {
            counts.merge(MirrorLifecycle.category(MirrorLifecycle.shown(m, link.state())), m.partitions(),
                    Integer::sum);
        }
        return counts;
    }

    /**
     * Metadata sync tasks: {@code NOT_CONFIGURED} unless enabled, {@code LINK_PAUSED} or
     * {@code LINK_UNAVAILABLE} while the link is, else the outcome of the task's last run
     * ({@code ACTIVE} until it has run). Topic config sync is always on.
     */
    List<LinkView.LinkTask> tasks(Link link) {
        LinkSettings s = link.settings();
        Map<String, Boolean> enabled = Map.of(
                LinkTasks.CONSUMER_OFFSET_SYNC, s.consumerOffsetSync(),
                LinkTasks.ACL_SYNC, s.aclSync(),
                LinkTasks.TOPIC_CONFIGS_SYNC, true,
                LinkTasks.AUTO_CREATE_MIRROR, s.autoCreateMirrors());
        List<LinkView.LinkTask> tasks = new ArrayList<>();
        for (String name : LinkTasks.ALL) {
            String state = !enabled.get(name) ? "NOT_CONFIGURED" : LinkLifecycle.taskStateOf(link.state()).orElse(null);
            tasks.add(state != null ? new LinkView.LinkTask(name, state, List.of())
                    : linkTasks.last(link.id(), name).orElse(new LinkView.LinkTask(name, "ACTIVE", List.of())));
        }
        return tasks;
    }

    /** Deletes a link; mirrors that are not stopped make it a conflict unless {@code force}, which fails them over first. */
    public void delete(String clusterId, String linkName, boolean force, boolean validateOnly) {
        Link link = find(clusterId, linkName);
        List<Mirror> live = store.listMirrors(link).stream().filter(m -> MirrorLifecycle.live(m.status())).toList();
        if (!live.isEmpty() && !force) {
            throw new ClusterLinkException.Conflict("Cluster link '" + linkName + "' has mirror topics that are not "
                    + "stopped: " + String.join(", ", live.stream().map(Mirror::mirrorTopic).toList())
                    + ". Promote or fail them over first, or delete with force=true");
        }
        if (validateOnly) {
            return;
        }
        actions.failoverAllForDelete(link, live);
        store.deleteLink(link.id());
        linkTasks.forget(link.id());
        offsetSync.forget(link.id());
        sources.forget(link.id());
        LOG.infof("Deleted cluster link '%s' on cluster %s", linkName, link.clusterId());
        replication.wake();
    }

    public List<ConfigEntry> configs(String clusterId, String linkName) {
        return LinkConfigs.describe(find(clusterId, linkName).configs());
    }

    public ConfigEntry config(String clusterId, String linkName, String name) {
        Link link = find(clusterId, linkName);
        return LinkConfigs.describe(link.configs()).stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new ClusterLinkException.NotFound("Link config '" + TopicNames.printable(name)
                        + "' not found on cluster link '" + linkName + "'"));
    }

    /** Configs in one create or alter request: far more than the table has, so only absurd requests hit it. */
    static final int MAX_CONFIGS = 500;

    private static void checkCount(int count) {
        if (count > MAX_CONFIGS) {
            throw new ClusterLinkException.InvalidRequest("A request may give at most " + MAX_CONFIGS
                    + " configs; this one has " + count);
        }
    }

    /** One change of a config: {@code value} null with {@code delete} resets it to its default. */
    public record ConfigChange(String name, String value, boolean delete) {
    }

    public void alter(String clusterId, String linkName, List<ConfigChange> changes, boolean validateOnly) {
        Link link = find(clusterId, linkName);
        checkCount(changes.size());
        Map<String, String> updated = new TreeMap<>(link.configs());
        Set<String> seen = new HashSet<>();
        for (ConfigChange c : changes) {
            if (c.name() == null || c.name().isBlank()) {
                throw new ClusterLinkException.InvalidRequest("Every config change needs a 'name'");
            }
            if (!seen.add(c.name())) {
                // Which of two changes of one config wins would depend on their order: refuse both.
                throw new ClusterLinkException.InvalidRequest("Link config '" + TopicNames.printable(c.name())
                        + "' is given twice");
            }
            if (!LinkConfigs.isKnown(c.name())) {
                throw new ClusterLinkException.InvalidRequest("Unknown link config: " + TopicNames.printable(c.name()));
            }
            LinkConfigs.Definition def = LinkConfigs.behaviour().get(c.name());
            if (def != null && def.fixedAfterCreate()) {
                // A client that sends every config back (Terraform's update does) may name a fixed one
                // with the value it has: nothing changes, so nothing is refused.
                String current = link.configs().getOrDefault(c.name(), def.defaultValue());
                boolean unchanged = !c.delete() && c.value() != null && c.value().equals(current);
                if (!unchanged) {
                    throw new ClusterLinkException.InvalidRequest("Link config '" + c.name()
                            + "' cannot be changed after the link is created"
                            + (current == null ? "" : " (it is '" + TopicNames.printable(current) + "')"));
                }
                continue;
            }
            if (c.delete()) {
                if (c.name().equals(LinkConfigs.BOOTSTRAP_SERVERS)) {
                    throw new ClusterLinkException.InvalidRequest("Link config 'bootstrap.servers' cannot be deleted");
                }
                updated.remove(c.name());
            } else {
                if (c.value() == null) {
                    throw new ClusterLinkException.InvalidRequest("Link config '" + c.name() + "' needs a value");
                }
                updated.put(c.name(), c.value());
            }
        }
        Map<String, String> valid = LinkConfigs.validate(updated);
        if (validateOnly) {
            return;
        }
        store.updateLinkConfigs(link.id(), valid);
        replication.wake();
    }
}
