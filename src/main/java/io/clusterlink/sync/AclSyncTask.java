package io.clusterlink.sync;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DeleteAclsResult;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.jboss.logging.Logger;

import io.clusterlink.config.ClusterlinkConfig;
import io.clusterlink.kafka.DestinationCluster;
import io.clusterlink.kafka.DestinationClusters;
import io.clusterlink.kafka.KafkaClients;
import io.clusterlink.kafka.KafkaErrors;
import io.clusterlink.link.AclFilters;
import io.clusterlink.link.Link;
import io.clusterlink.service.LinkTasks;
import io.clusterlink.link.LinkView;
import io.clusterlink.service.SyncedAcls;

/**
 * {@code acl.sync.enable}: every {@code acl.sync.ms}, the source's ACL bindings that match
 * {@code acl.filters} are created on the destination, and bindings this link created that are gone
 * from the source, or no longer match the filters, are deleted from it. Bindings the link did not
 * create are never touched, including one that was already on the destination when the link would
 * have created it. What the link created is recorded in the database ({@link SyncedAcls}):
 * before the create request and until after the delete request, so a binding the link created is
 * never left without its record.
 * <p>
 * The source principal needs DESCRIBE on the source cluster, the service's principal ALTER on the
 * destination cluster. A run that cannot read both sides changes nothing.
 */
@ApplicationScoped
class AclSyncTask implements LinkSyncTask {

    private static final Logger LOG = Logger.getLogger(AclSyncTask.class);
    private static final int MAX_REPORTED_ERRORS = 10;

    private final DestinationClusters clusters;
    private final SyncedAcls synced;
    private final LinkTasks tasks;
    private final Duration timeout;

    AclSyncTask(DestinationClusters clusters, SyncedAcls synced, LinkTasks tasks, ClusterlinkConfig config) {
        this.clusters = clusters;
        this.synced = synced;
        this.tasks = tasks;
        this.timeout = config.sourceTimeout();
    }

    @Override
    public String name() {
        return LinkTasks.ACL_SYNC;
    }

    @Override
    public boolean enabled(Link link) {
        return link.settings().aclSync();
    }

    @Override
    public long intervalMs(Link link) {
        return link.settings().aclSyncIntervalMs();
    }

    @Override
    public void run(Link link) throws Exception {
        Optional<AclFilters> filters = link.settings().aclFilters();
        if (filters.isEmpty()) {
            report(link, List.of(new LinkView.TaskError("MISCONFIGURATION_ERROR",
                    "ACL sync is enabled but acl.filters is not set")));
            return;
        }
        Set<AclBinding> wanted;
        try (Admin source = KafkaClients.admin(link.settings().sourceClientProperties(),
                "clusterlink-acl-sync-" + link.name(), timeout)) {
            wanted = describe(source, filters.get().filters());
        } catch (Exception e) {
            report(link, List.of(error(Side.SOURCE, "describe the source cluster's ACLs", e)));
            return;
        }
        Optional<DestinationCluster> cluster = destination(link.clusterId());
        if (cluster.isEmpty()) {
            report(link, List.of(new LinkView.TaskError("INTERNAL_ERROR",
                    "The destination cluster " + link.clusterId() + " is not reachable")));
            return;
        }
        Admin destination = clusters.admin(cluster.get());
        Set<AclBinding> present;
        try {
            present = describe(destination, List.of(AclBindingFilter.ANY));
        } catch (Exception e) {
            report(link, List.of(error(Side.DESTINATION, "describe the destination cluster's ACLs", e)));
            return;
        }
        Set<AclBinding> owned = synced.owned(link.id());
        List<LinkView.TaskError> errors = new ArrayList<>();
        List<AclBinding> missing = wanted.stream().filter(b -> !present.contains(b)).toList();
        int created = create(link, destination, missing, errors);
        List<AclBinding> stale = owned.stream().filter(b -> !wanted.contains(b)).toList();
        int deleted = delete(link, destination, stale, errors);
        if (created > 0 || deleted > 0) {
            LOG.infof("ACL sync of link '%s': created %d and deleted %d ACLs on the destination", link.name(),
                    created, deleted);
        }
        report(link, errors);
    }

    /**
     * Creates missing bindings, recorded as the link's first. A binding the destination refused is
     * forgotten again; one whose outcome is unknown (a timeout) stays recorded, as it may exist.
     */
    private int create(Link link, Admin destination, List<AclBinding> missing, List<LinkView.TaskError> errors) {
        if (missing.isEmpty()) {
            return 0;
        }
        synced.own(link.id(), missing);
        Map<AclBinding, KafkaFuture<Void>> results = destination.createAcls(missing).values();
        List<AclBinding> refused = new ArrayList<>();
        int created = 0;
        for (AclBinding binding : missing) {
            try {
                await(results.get(binding));
                created++;
            } catch (Exception e) {
                if (e instanceof ExecutionException && !KafkaErrors.isTimeout(e)) {
                    refused.add(binding);
                }
                errors.add(error(Side.DESTINATION, "create the ACL " + printable(binding) + " on the destination", e));
            }
        }
        synced.disown(link.id(), refused);
        return created;
    }

    /** Deletes bindings the link created that it no longer wants; each is forgotten once it is gone. */
    private int delete(Link link, Admin destination, List<AclBinding> stale, List<LinkView.TaskError> errors) {
        if (stale.isEmpty()) {
            return 0;
        }
        Map<AclBindingFilter, KafkaFuture<DeleteAclsResult.FilterResults>> results = destination
                .deleteAcls(stale.stream().map(AclBinding::toFilter).toList()).values();
        List<AclBinding> gone = new ArrayList<>();
        for (AclBinding binding : stale) {
            try {
                for (DeleteAclsResult.FilterResult result : await(results.get(binding.toFilter())).values()) {
                    if (result.exception() != null) {
                        throw result.exception();
                    }
                }
                gone.add(binding);
            } catch (Exception e) {
                errors.add(error(Side.DESTINATION, "delete the ACL " + printable(binding) + " from the destination",
                        e));
            }
        }
        synced.disown(link.id(), gone);
        return gone.size();
    }

    private Set<AclBinding> describe(Admin admin, Collection<AclBindingFilter> filters) throws Exception {
        Set<AclBinding> bindings = new LinkedHashSet<>();
        for (AclBindingFilter filter : filters) {
            bindings.addAll(await(admin.describeAcls(filter).values()));
        }
        return bindings;
    }

    /** The link's destination cluster; one that has not answered yet is looked up once. */
    private Optional<DestinationCluster> destination(String clusterId) {
        Optional<DestinationCluster> cluster = clusters.byIdIfKnown(clusterId);
        if (cluster.isEmpty()) {
            clusters.list();
            cluster = clusters.byIdIfKnown(clusterId);
        }
        return cluster;
    }

    private <T> T await(KafkaFuture<T> future) throws Exception {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw e;
        }
    }

    private void report(Link link, List<LinkView.TaskError> errors) {
        List<LinkView.TaskError> shown = errors;
        if (errors.size() > MAX_REPORTED_ERRORS) {
            shown = new ArrayList<>(errors.subList(0, MAX_REPORTED_ERRORS));
            shown.add(new LinkView.TaskError("SUPPRESSED_ERRORS",
                    (errors.size() - MAX_REPORTED_ERRORS) + " more ACL sync errors are not shown"));
        }
        tasks.report(link.id(), name(), shown);
    }

    /** The two sides of a link, with the cluster operation ACL sync needs on each. */
    private enum Side {
        SOURCE("source", "DESCRIBE", "the link's principal on the source"),
        DESTINATION("destination", "ALTER", "the service's principal on the destination");

        private final String cluster;
        private final String operation;
        private final String principal;

        Side(String cluster, String operation, String principal) {
            this.cluster = cluster;
            this.operation = operation;
            this.principal = principal;
        }
    }

    private static LinkView.TaskError error(Side side, String action, Throwable e) {
        String code = KafkaErrors.taskErrorCode(e);
        String message = switch (code) {
            case "SECURITY_DISABLED_ERROR" -> "Cannot " + action + ": the " + side.cluster
                    + " cluster has no authorizer, so it has no ACLs";
            case "AUTHORIZATION_ERROR" -> "Cannot " + action + ": " + side.principal + " needs " + side.operation
                    + " on the " + side.cluster + " cluster (" + KafkaErrors.describe(e) + ")";
            default -> "Cannot " + action + ": " + KafkaErrors.describe(e);
        };
        return new LinkView.TaskError(code, message);
    }

    /** A binding for people, e.g. {@code ALLOW User:bob READ on TOPIC 'orders' (LITERAL) from host *}. */
    private static String printable(AclBinding binding) {
        return binding.entry().permissionType() + " " + binding.entry().principal() + " "
                + binding.entry().operation() + " on " + binding.pattern().resourceType() + " '"
                + binding.pattern().name() + "' (" + binding.pattern().patternType() + ") from host "
                + binding.entry().host();
    }
}
