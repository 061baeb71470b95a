package io.clusterlink.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.jboss.logging.Logger;

import io.clusterlink.config.ClusterlinkConfig;
import io.clusterlink.link.ClusterLinkException;
import io.clusterlink.link.TopicNames;

/**
 * The destination clusters from {@code clusterlink.clusters.<name>.*}, addressed by their Kafka
 * cluster id. Ids are looked up once a cluster answers; one Admin client per cluster is shared.
 */
@ApplicationScoped
public class DestinationClusters {

    private static final Logger LOG = Logger.getLogger(DestinationClusters.class);
    private static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(5);

    private final ClusterlinkConfig config;
    private final Map<String, Admin> admins = new ConcurrentHashMap<>();
    private final Map<String, String> clusterIds = new ConcurrentHashMap<>();
    private final Map<String, DestinationLimits> limits = new ConcurrentHashMap<>();

    DestinationClusters(ClusterlinkConfig config) {
        this.config = config;
    }

    /** Clusters that answered; one that is down is left out (and logged) until it answers. */
    public List<DestinationCluster> list() {
        List<DestinationCluster> result = new ArrayList<>();
        for (String name : new TreeMap<>(config.clusters()).keySet()) {
            resolve(name).ifPresent(result::add);
        }
        return result;
    }

    public DestinationCluster byId(String clusterId) {
        for (String name : config.clusters().keySet()) {
            String known = clusterIds.get(name);
            if (clusterId.equals(known)) {
                return cluster(name, known);
            }
        }
        return list().stream().filter(c -> c.clusterId().equals(clusterId)).findFirst()
                .orElseThrow(() -> new ClusterLinkException.NotFound(
                        "Cluster '" + TopicNames.printable(clusterId) + "' not found"));
    }

    /** The cluster named by {@code clusterlink.default-cluster}, or the only one configured. */
    public DestinationCluster defaultCluster() {
        String name = config.defaultCluster().orElseGet(() -> {
            if (config.clusters().size() == 1) {
                return config.clusters().keySet().iterator().next();
            }
            throw new ClusterLinkException.NotFound(
                    "No default cluster: set clusterlink.default-cluster to one of " + config.clusters().keySet());
        });
        if (!config.clusters().containsKey(name)) {
            throw new ClusterLinkException.NotFound("Default cluster '" + name + "' is not configured");
        }
        return resolve(name).orElseThrow(() -> new ClusterLinkException.ClusterUnavailable(
                "Destination cluster '" + name + "' is not reachable", null));
    }

    /** Finds the cluster a stored link or mirror belongs to, whether or not it answers now. */
    public Optional<DestinationCluster> byIdIfKnown(String clusterId) {
        return clusterIds.entrySet().stream().filter(e -> e.getValue().equals(clusterId))
                .map(e -> cluster(e.getKey(), e.getValue())).findFirst();
    }

    /**
     * The cluster a stored link or mirror belongs to; when it has not answered since the service
     * started, the configured clusters are asked once (each may take seconds).
     */
    public Optional<DestinationCluster> lookUp(String clusterId) {
        Optional<DestinationCluster> cluster = byIdIfKnown(clusterId);
        if (cluster.isEmpty()) {
            list();
            cluster = byIdIfKnown(clusterId);
        }
        return cluster;
    }

    /**
     * What the cluster's brokers accept (read from one broker's configs once, then cached); Kafka's
     * defaults when the configs cannot be read.
     */
    /** The limits found out so far; empty before a lookup succeeded. Never calls the cluster. */
    public Optional<DestinationLimits> knownLimits(DestinationCluster cluster) {
        return Optional.ofNullable(limits.get(cluster.clusterId()));
    }

    public DestinationLimits limits(DestinationCluster cluster) {
        DestinationLimits known = limits.get(cluster.clusterId());
        if (known != null) {
            return known;
        }
        try {
            Admin admin = admin(cluster);
            Collection<Node> nodes = KafkaFutures.await(admin.describeCluster(new DescribeClusterOptions()
                    .timeoutMs((int) LOOKUP_TIMEOUT.toMillis())).nodes(), LOOKUP_TIMEOUT.plusSeconds(1));
            if (nodes.isEmpty()) {
                return DestinationLimits.DEFAULTS;
            }
            ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, nodes.iterator().next().idString());
            Config config = KafkaFutures.await(admin.describeConfigs(List.of(broker)).all(), LOOKUP_TIMEOUT)
                    .get(broker);
            ConfigEntry requestMax = config.get("socket.request.max.bytes");
            DestinationLimits found = new DestinationLimits(
                    requestMax == null || requestMax.value() == null ? DestinationLimits.DEFAULTS.maxRequestBytes()
                            : Integer.parseInt(requestMax.value()),
                    config.get("log.message.timestamp.before.max.ms") != null);
            limits.put(cluster.clusterId(), found);
            LOG.infof("Destination cluster '%s' accepts requests of up to %d bytes%s", cluster.name(),
                    found.maxRequestBytes(), found.timestampBounds() ? ""
                            : " and has no message.timestamp.before/after.max.ms (Kafka before 3.6)");
            return found;
        } catch (KafkaCallException | NumberFormatException e) {
            LOG.debugf("Cannot read the broker configs of destination cluster '%s' (%s): using Kafka's defaults",
                    cluster.name(), e.getMessage());
            return DestinationLimits.DEFAULTS;
        }
    }

    public Admin admin(DestinationCluster cluster) {
        return admin(cluster.name());
    }

    /** What a configured destination cluster answered now: its id, or why it did not. */
    public record Probe(String name, String bootstrapServers, String clusterId, String error) {

        public boolean up() {
            return error == null;
        }
    }

    /** Asks every configured destination cluster for its cluster id now, each within {@code timeout}. */
    public List<Probe> probe(Duration timeout) {
        List<Probe> probes = new ArrayList<>();
        for (Map.Entry<String, ClusterlinkConfig.Cluster> e : new TreeMap<>(config.clusters()).entrySet()) {
            String name = e.getKey();
            String bootstrap = e.getValue().bootstrapServers();
            try {
                String id = KafkaFutures.await(admin(name).describeCluster(new DescribeClusterOptions()
                        .timeoutMs((int) timeout.toMillis())).clusterId(), timeout.plusSeconds(1));
                clusterIds.putIfAbsent(name, id);
                probes.add(new Probe(name, bootstrap, id, null));
            } catch (KafkaCallException ex) {
                probes.add(new Probe(name, bootstrap, null, ex.getMessage()));
            }
        }
        return probes;
    }

    private Optional<DestinationCluster> resolve(String name) {
        String id = clusterIds.get(name);
        if (id == null) {
            try {
                id = KafkaFutures.await(admin(name).describeCluster(new DescribeClusterOptions()
                        .timeoutMs((int) LOOKUP_TIMEOUT.toMillis())).clusterId(), LOOKUP_TIMEOUT.plusSeconds(1));
                clusterIds.put(name, id);
                LOG.infof("Destination cluster '%s' has cluster id %s", name, id);
            } catch (KafkaCallException e) {
                if (!e.is(KafkaErrors.Kind.INTERRUPTED)) {
                    LOG.warnf("Destination cluster '%s' is not reachable: %s", name, e.getMessage());
                }
                return Optional.empty();
            }
        }
        return Optional.of(cluster(name, id));
    }

    private DestinationCluster cluster(String name, String id) {
        return new DestinationCluster(name, id, clientProperties(name));
    }

    private Map<String, Object> clientProperties(String name) {
        ClusterlinkConfig.Cluster c = config.clusters().get(name);
        Map<String, Object> props = new TreeMap<>(c.properties());
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrapServers());
        return props;
    }

    private Admin admin(String name) {
        return admins.computeIfAbsent(name, n -> {
            Map<String, Object> props = clientProperties(n);
            props.put(AdminClientConfig.CLIENT_ID_CONFIG, "clusterlink-admin-" + n);
            return Admin.create(props);
        });
    }

    @PreDestroy
    void close() {
        admins.values().forEach(a -> a.close(Duration.ofSeconds(5)));
        admins.clear();
    }
}
