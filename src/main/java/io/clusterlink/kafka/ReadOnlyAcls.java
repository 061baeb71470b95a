package io.clusterlink.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DeleteAclsResult;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.jboss.logging.Logger;

import io.clusterlink.config.ClusterlinkConfig;
import io.clusterlink.link.ClusterLinkException;
import io.clusterlink.link.ReadOnlyEnforcement;

/**
 * Read-only mirror topics. On a destination cluster with an authorizer where the service's
 * principal is a super user, each mirror topic gets one ACL binding: {@code DENY WRITE} for
 * {@code User:*} from any host on the (literal) topic name. Every other client's produce is then
 * refused with {@code TOPIC_AUTHORIZATION_FAILED}; super users bypass ACLs, so the service keeps
 * copying; reading is not affected. The binding is lifted when the mirror stops (promote,
 * failover). Only that exact binding is ever created or deleted.
 * <p>
 * Whether a cluster can enforce this is found out once and checked again every
 * {@code clusterlink.read-only-check-interval}: there must be an authorizer (else
 * {@code SECURITY_DISABLED}), the service's principal must be allowed to alter the cluster's ACLs,
 * and, checked whenever bindings are created, it must still be allowed to write the topics
 * afterwards (a super user). Where it cannot, links say so and each copy's offset check catches
 * a foreign write: the partition goes {@code FAILED} ({@code ILLEGAL_STATE}) instead of shifting
 * the mirror's offsets.
 */
@ApplicationScoped
public class ReadOnlyAcls {

    private static final Logger LOG = Logger.getLogger(ReadOnlyAcls.class);
    /** How soon a cluster whose enforcement could not be found out (not reachable) is asked again. */
    private static final Duration UNKNOWN_RECHECK = Duration.ofSeconds(30);
    private static final AccessControlEntry DENY_WRITE = new AccessControlEntry("User:*", "*", AclOperation.WRITE,
            AclPermissionType.DENY);
    private static final AclBindingFilter EVERY_DENY_WRITE = new AclBindingFilter(
            new ResourcePatternFilter(ResourceType.TOPIC, null, PatternType.LITERAL), DENY_WRITE.toFilter());

    private record Checked(ReadOnlyEnforcement enforcement, long atNanos) {
    }

    private final DestinationClusters clusters;
    private final Duration recheck;
    private final Duration timeout;
    private final Map<String, Checked> checked = new ConcurrentHashMap<>();
    /** The last known (not unknown) enforcement per cluster: logged when it changes only. */
    private final Map<String, Boolean> logged = new ConcurrentHashMap<>();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    ReadOnlyAcls(DestinationClusters clusters, ClusterlinkConfig config) {
        this.clusters = clusters;
        this.recheck = config.readOnlyCheckInterval();
        this.timeout = config.sourceTimeout();
    }

    /** The binding that makes {@code topic} read-only. */
    public static AclBinding binding(String topic) {
        return new AclBinding(new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL), DENY_WRITE);
    }

    /** Whether mirror topics on the cluster with this id are read-only (cached). */
    public ReadOnlyEnforcement enforcement(String clusterId) {
        Optional<DestinationCluster> cluster = clusters.byIdIfKnown(clusterId);
        return cluster.map(this::enforcement)
                .orElseGet(() -> ReadOnlyEnforcement
                        .unknown("the destination cluster " + clusterId + " is not reachable"));
    }

    public ReadOnlyEnforcement enforcement(DestinationCluster cluster) {
        Checked c = checked.get(cluster.clusterId());
        if (fresh(c)) {
            return c.enforcement();
        }
        synchronized (locks.computeIfAbsent(cluster.clusterId(), id -> new Object())) {
            c = checked.get(cluster.clusterId());
            if (fresh(c)) {
                return c.enforcement();
            }
            ReadOnlyEnforcement found = check(clusters.admin(cluster));
            remember(cluster, found);
            return found;
        }
    }

    private boolean fresh(Checked c) {
        if (c == null) {
            return false;
        }
        Duration valid = c.enforcement().enforced() == null ? UNKNOWN_RECHECK : recheck;
        return System.nanoTime() - c.atNanos() < valid.toNanos();
    }

    private void remember(DestinationCluster cluster, ReadOnlyEnforcement found) {
        checked.put(cluster.clusterId(), new Checked(found, System.nanoTime()));
        if (found.enforced() == null || found.enforced().equals(logged.put(cluster.clusterId(), found.enforced()))) {
            return;
        }
        if (found.enforced()) {
            LOG.infof("Mirror topics on destination cluster '%s' (%s) are read-only: each has the ACL DENY WRITE "
                    + "for User:* until it is promoted or failed over", cluster.name(), cluster.clusterId());
        } else {
            LOG.warnf("Destination cluster '%s' (%s): %s", cluster.name(), cluster.clusterId(), found.message());
        }
    }

    /** Asks the cluster: an authorizer, and may the service alter ACLs? */
    private ReadOnlyEnforcement check(Admin admin) {
        int ms = (int) timeout.toMillis();
        try {
            KafkaFutures.await(admin.describeAcls(EVERY_DENY_WRITE).values(), timeout);
            Set<AclOperation> allowed = KafkaFutures.await(admin.describeCluster(new DescribeClusterOptions()
                    .includeAuthorizedOperations(true).timeoutMs(ms)).authorizedOperations(), timeout.plusSeconds(1));
            if (allowed == null || !allowed.contains(AclOperation.ALTER) && !allowed.contains(AclOperation.ALL)) {
                return notAllowed();
            }
            return ReadOnlyEnforcement.yes();
        } catch (KafkaCallException e) {
            return notEnforced(e).orElseGet(() -> ReadOnlyEnforcement.unknown(e.getMessage()));
        }
    }

    /** Not enforced for good when the cluster has no authorizer or refuses the service; empty for other errors. */
    private static Optional<ReadOnlyEnforcement> notEnforced(KafkaCallException e) {
        if (e.is(KafkaErrors.Kind.SECURITY_DISABLED)) {
            return Optional.of(ReadOnlyEnforcement.no("the destination cluster has no authorizer"));
        }
        if (e.is(KafkaErrors.Kind.AUTHORIZATION)) {
            return Optional.of(notAllowed());
        }
        return Optional.empty();
    }

    private static ReadOnlyEnforcement notAllowed() {
        return ReadOnlyEnforcement.no("the service's principal may not alter the destination cluster's ACLs "
                + "(it needs to be a super user)");
    }

    /**
     * Of the given mirror topics on the cluster, those without their binding; none when the
     * cluster does not enforce read-only.
     */
    public List<String> unprotected(DestinationCluster cluster, Collection<String> topics) {
        if (topics.isEmpty() || !Boolean.TRUE.equals(enforcement(cluster).enforced())) {
            return List.of();
        }
        Collection<AclBinding> present;
        try {
            present = KafkaFutures.await(clusters.admin(cluster).describeAcls(EVERY_DENY_WRITE).values(), timeout);
        } catch (KafkaCallException e) {
            Optional<ReadOnlyEnforcement> no = notEnforced(e);
            if (no.isPresent()) {
                remember(cluster, no.get());
                return List.of();
            }
            throw e;
        }
        Set<String> protectedTopics = present.stream().map(b -> b.pattern().name()).collect(Collectors.toSet());
        return topics.stream().filter(t -> !protectedTopics.contains(t)).distinct().toList();
    }

    /**
     * Makes mirror topics read-only if the cluster enforces it; idempotent (Kafka keeps one binding
     * however often it is created). If the service turns out not to be allowed to write them
     * afterwards, it is no super user: the bindings are removed again and the cluster is marked as
     * not enforcing read-only.
     *
     * @return whether the topics are read-only now
     */
    public boolean protect(DestinationCluster cluster, Collection<String> topics) {
        if (topics.isEmpty() || !Boolean.TRUE.equals(enforcement(cluster).enforced())) {
            return false;
        }
        Admin admin = clusters.admin(cluster);
        List<AclBinding> bindings = topics.stream().map(ReadOnlyAcls::binding).toList();
        try {
            KafkaFutures.await(admin.createAcls(bindings).all(), timeout);
        } catch (KafkaCallException e) {
            Optional<ReadOnlyEnforcement> no = notEnforced(e);
            if (no.isPresent()) {
                remember(cluster, no.get());
                return false;
            }
            throw e;
        }
        if (!stillWritable(admin, topics)) {
            KafkaFutures.await(admin.deleteAcls(bindings.stream().map(AclBinding::toFilter).toList()).all(), timeout);
            remember(cluster, ReadOnlyEnforcement.no("the service's principal is not a super user of the destination "
                    + "cluster, so a DENY WRITE for User:* would stop its own writes"));
            return false;
        }
        return true;
    }

    /** Whether the service may still write each of the topics that exist. */
    private boolean stillWritable(Admin admin, Collection<String> topics) {
        Map<String, KafkaFuture<TopicDescription>> described = admin.describeTopics(topics,
                new DescribeTopicsOptions().includeAuthorizedOperations(true)).topicNameValues();
        for (KafkaFuture<TopicDescription> future : described.values()) {
            try {
                Set<AclOperation> allowed = KafkaFutures.await(future, timeout).authorizedOperations();
                if (allowed != null && !allowed.contains(AclOperation.WRITE) && !allowed.contains(AclOperation.ALL)) {
                    return false;
                }
            } catch (KafkaCallException e) {
                if (!e.is(KafkaErrors.Kind.UNKNOWN_TOPIC)) {
                    throw e;
                }
            }
        }
        return true;
    }

    /**
     * Lifts read-only from a mirror topic that stops being a mirror: deletes exactly its binding.
     * Nothing to do without an authorizer; a service that may not alter ACLs never created it.
     *
     * @throws ClusterLinkException.ClusterUnavailable when the cluster did not answer: the binding may still be there
     */
    public void lift(DestinationCluster cluster, String topic) {
        ClusterLinkException failure = lift(cluster, List.of(topic)).get(topic);
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * {@link #lift(DestinationCluster, String)} for many topics in one request: the topics whose
     * binding may still be there because the cluster did not answer for them, with the error.
     */
    public Map<String, ClusterLinkException> lift(DestinationCluster cluster, Collection<String> topics) {
        if (topics.isEmpty()) {
            return Map.of();
        }
        Map<String, AclBindingFilter> filters = new LinkedHashMap<>();
        topics.forEach(t -> filters.put(t, binding(t).toFilter()));
        Map<AclBindingFilter, KafkaFuture<DeleteAclsResult.FilterResults>> deleted = clusters.admin(cluster)
                .deleteAcls(List.copyOf(filters.values())).values();
        Map<String, KafkaFuture<DeleteAclsResult.FilterResults>> byTopic = new LinkedHashMap<>();
        filters.forEach((topic, filter) -> byTopic.put(topic, deleted.get(filter)));
        Map<String, KafkaCallException> failures = new LinkedHashMap<>(KafkaFutures.awaitEach(byTopic, timeout));
        byTopic.forEach((topic, future) -> {
            if (!failures.containsKey(topic)) {
                // Answered: a binding the cluster matched but could not delete fails it too.
                KafkaFutures.await(future, timeout).values().stream().map(DeleteAclsResult.FilterResult::exception)
                        .filter(Objects::nonNull).findFirst()
                        .ifPresent(e -> failures.put(topic, new KafkaCallException(e)));
            }
        });
        Map<String, ClusterLinkException> notLifted = new LinkedHashMap<>();
        failures.forEach((topic, e) -> {
            if (e.is(KafkaErrors.Kind.SECURITY_DISABLED)) {
                return;
            }
            if (e.is(KafkaErrors.Kind.AUTHORIZATION)) {
                LOG.warnf("Cannot check for the read-only ACL of topic '%s' (DENY WRITE for User:*): %s. If it is "
                        + "there, delete it by hand", topic, e.getMessage());
                return;
            }
            notLifted.put(topic, new ClusterLinkException.ClusterUnavailable("Cannot make mirror topic '" + topic
                    + "' writable (delete its ACL DENY WRITE for User:*): " + e.getMessage(), e));
        });
        return notLifted;
    }
}
