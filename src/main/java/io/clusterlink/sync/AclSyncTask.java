package io.clusterlink.sync;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.jboss.logging.Logger;

import io.clusterlink.kafka.Acls;
import io.clusterlink.kafka.DestinationCluster;
import io.clusterlink.kafka.DestinationClusters;
import io.clusterlink.kafka.KafkaCallException;
import io.clusterlink.kafka.KafkaErrors;
import io.clusterlink.link.AclFilters;
import io.clusterlink.link.Link;
import io.clusterlink.link.LinkView;
import io.clusterlink.service.LinkTasks;
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
    private final Acls acls;
    private final SyncedAcls synced;
    private final LinkTasks tasks;

    AclSyncTask(DestinationClusters clusters, Acls acls, SyncedAcls synced, LinkTasks tasks) {
        this.clusters = clusters;
        this.acls = acls;
        this.synced = synced;
        this.tasks = tasks;
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
    public boolean run(Link link) {
        Optional<AclFilters> filters = link.settings().aclFilters();
        if (filters.isEmpty()) {
            return report(link, List.of(new LinkView.TaskError("MISCONFIGURATION_ERROR",
                    "ACL sync is enabled but acl.filters is not set")));
        }
        Set<AclBinding> wanted;
        try {
            wanted = acls.describeSource(link, filters.get().filters());
        } catch (KafkaCallException e) {
            return report(link, List.of(error(Side.SOURCE, "describe the source cluster's ACLs", e)));
        }
        Optional<DestinationCluster> cluster = clusters.lookUp(link.clusterId());
        if (cluster.isEmpty()) {
            return report(link, List.of(new LinkView.TaskError("INTERNAL_ERROR",
                    "The destination cluster " + link.clusterId() + " is not reachable")));
        }
        Set<AclBinding> present;
        try {
            present = acls.describeDestination(cluster.get(), List.of(AclBindingFilter.ANY));
        } catch (KafkaCallException e) {
            return report(link, List.of(error(Side.DESTINATION, "describe the destination cluster's ACLs", e)));
        }
        Set<AclBinding> owned = synced.owned(link.id());
        List<LinkView.TaskError> errors = new ArrayList<>();
        List<AclBinding> missing = wanted.stream().filter(b -> !present.contains(b)).toList();
        int created = create(link, cluster.get(), missing, errors);
        List<AclBinding> stale = owned.stream().filter(b -> !wanted.contains(b)).toList();
        int deleted = delete(link, cluster.get(), stale, errors);
        if (created > 0 || deleted > 0) {
            LOG.infof("ACL sync of link '%s': created %d and deleted %d ACLs on the destination", link.name(),
                    created, deleted);
        }
        return report(link, errors);
    }

    /**
     * Creates missing bindings, recorded as the link's first. A binding the destination refused is
     * forgotten again; one whose outcome is unknown (a timeout) stays recorded, as it may exist.
     */
    private int create(Link link, DestinationCluster cluster, List<AclBinding> missing,
            List<LinkView.TaskError> errors) {
        if (missing.isEmpty()) {
            return 0;
        }
        synced.own(link.id(), missing);
        List<AclBinding> refused = new ArrayList<>();
        int created = 0;
        for (Map.Entry<AclBinding, KafkaCallException> outcome : acls.create(cluster, missing).entrySet()) {
            KafkaCallException e = outcome.getValue();
            if (e == null) {
                created++;
                continue;
            }
            if (!e.is(KafkaErrors.Kind.TIMEOUT) && !e.is(KafkaErrors.Kind.INTERRUPTED)) {
                refused.add(outcome.getKey());
            }
            errors.add(error(Side.DESTINATION, "create the ACL " + printable(outcome.getKey())
                    + " on the destination", e));
        }
        synced.disown(link.id(), refused);
        return created;
    }

    /** Deletes bindings the link created that it no longer wants; each is forgotten once it is gone. */
    private int delete(Link link, DestinationCluster cluster, List<AclBinding> stale,
            List<LinkView.TaskError> errors) {
        if (stale.isEmpty()) {
            return 0;
        }
        List<AclBinding> gone = new ArrayList<>();
        for (Map.Entry<AclBinding, KafkaCallException> outcome : acls.delete(cluster, stale).entrySet()) {
            if (outcome.getValue() == null) {
                gone.add(outcome.getKey());
            } else {
                errors.add(error(Side.DESTINATION, "delete the ACL " + printable(outcome.getKey())
                        + " from the destination", outcome.getValue()));
            }
        }
        synced.disown(link.id(), gone);
        return gone.size();
    }

    /** Reports the run's errors on the link's task; true when there are none. */
    private boolean report(Link link, List<LinkView.TaskError> errors) {
        List<LinkView.TaskError> shown = errors;
        if (errors.size() > MAX_REPORTED_ERRORS) {
            shown = new ArrayList<>(errors.subList(0, MAX_REPORTED_ERRORS));
            shown.add(new LinkView.TaskError("SUPPRESSED_ERRORS",
                    (errors.size() - MAX_REPORTED_ERRORS) + " more ACL sync errors are not shown"));
        }
        tasks.report(link.id(), name(), shown);
        return errors.isEmpty();
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
