package io.clusterlink.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DeleteAclsResult;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;

import io.clusterlink.link.Link;

/**
 * ACL bindings on both sides of a link, for ACL sync: describe with filters, create and delete,
 * each binding with its own outcome.
 */
@ApplicationScoped
public class Acls {

    private final SourceClusters sources;
    private final DestinationClusters destinations;

    Acls(SourceClusters sources, DestinationClusters destinations) {
        this.sources = sources;
        this.destinations = destinations;
    }

    public Set<AclBinding> describeSource(Link link, Collection<AclBindingFilter> filters) {
        return describe(sources.admin(link), filters);
    }

    public Set<AclBinding> describeDestination(DestinationCluster cluster, Collection<AclBindingFilter> filters) {
        return describe(destinations.admin(cluster), filters);
    }

    /** Creates bindings on the destination; the failure of each one that was not created, else null. */
    public Map<AclBinding, KafkaCallException> create(DestinationCluster cluster, List<AclBinding> bindings) {
        Map<AclBinding, KafkaFuture<Void>> results = destinations.admin(cluster).createAcls(bindings).values();
        Map<AclBinding, KafkaCallException> outcome = new LinkedHashMap<>();
        for (AclBinding binding : bindings) {
            try {
                KafkaFutures.await(results.get(binding), sources.timeout());
                outcome.put(binding, null);
            } catch (KafkaCallException e) {
                outcome.put(binding, e);
            }
        }
        return outcome;
    }

    /** Deletes bindings from the destination; the failure of each one that may still be there, else null. */
    public Map<AclBinding, KafkaCallException> delete(DestinationCluster cluster, List<AclBinding> bindings) {
        Map<AclBindingFilter, KafkaFuture<DeleteAclsResult.FilterResults>> results = destinations.admin(cluster)
                .deleteAcls(bindings.stream().map(AclBinding::toFilter).toList()).values();
        Map<AclBinding, KafkaCallException> outcome = new LinkedHashMap<>();
        for (AclBinding binding : bindings) {
            try {
                for (DeleteAclsResult.FilterResult result : KafkaFutures.await(results.get(binding.toFilter()),
                        sources.timeout()).values()) {
                    if (result.exception() != null) {
                        throw new KafkaCallException(result.exception());
                    }
                }
                outcome.put(binding, null);
            } catch (KafkaCallException e) {
                outcome.put(binding, e);
            }
        }
        return outcome;
    }

    private Set<AclBinding> describe(Admin admin, Collection<AclBindingFilter> filters) {
        Duration timeout = sources.timeout();
        Set<AclBinding> bindings = new LinkedHashSet<>();
        for (AclBindingFilter filter : filters) {
            bindings.addAll(KafkaFutures.await(admin.describeAcls(filter).values(), timeout));
        }
        return bindings;
    }
}
