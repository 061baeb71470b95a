package io.clusterlink.service;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.clusterlink.kafka.DestinationCluster;
import io.clusterlink.kafka.DestinationClusters;
import io.clusterlink.kafka.KafkaCallException;
import io.clusterlink.kafka.ReadOnlyAcls;
import io.clusterlink.link.ClusterLinkException;
import io.clusterlink.link.Link;
import io.clusterlink.link.Mirror;
import io.clusterlink.link.MirrorLifecycle;
import io.clusterlink.link.ReadOnlyEnforcement;
import io.clusterlink.store.LinkStore;

/**
 * Which mirror topics are read-only, and when: the binding of {@link ReadOnlyAcls} is added when a
 * mirror topic is created, given back to mirrors that lost it, and lifted when a mirror stops.
 */
@ApplicationScoped
public class ReadOnlyMirrors {

    private static final Logger LOG = Logger.getLogger(ReadOnlyMirrors.class);

    private final LinkStore store;
    private final DestinationClusters clusters;
    private final ReadOnlyAcls acls;

    ReadOnlyMirrors(LinkStore store, DestinationClusters clusters, ReadOnlyAcls acls) {
        this.store = store;
        this.clusters = clusters;
        this.acls = acls;
    }

    /** Whether mirror topics on the cluster with this id are read-only (cached). */
    public ReadOnlyEnforcement enforcement(String clusterId) {
        return acls.enforcement(clusterId);
    }

    /**
     * Adds the read-only ACL to a new mirror topic before anything is copied into it. A failure
     * does not fail the create: the periodic read-only check adds it later, and meanwhile the
     * offset check catches a foreign write.
     */
    void protectNew(DestinationCluster cluster, String mirrorTopic) {
        try {
            acls.protect(cluster, List.of(mirrorTopic));
        } catch (KafkaCallException e) {
            LOG.warnf("Cannot make mirror topic '%s' read-only yet (%s); the periodic check retries",
                    mirrorTopic, e.getMessage());
        }
    }

    /**
     * Lifts read-only from mirror topics that stop being mirrors, in one request: the topics whose
     * binding may still be there, with the error.
     */
    Map<String, ClusterLinkException> lift(DestinationCluster cluster, Collection<String> mirrorTopics) {
        return acls.lift(cluster, mirrorTopics);
    }

    /**
     * The periodic read-only check of a link: mirror topics that lost their ACL, or were created
     * before the cluster could enforce read-only, get it (back). A mirror that stopped meanwhile
     * may have lifted its ACL before the check re-added it: the check lifts it again.
     */
    public void keepReadOnly(Link link) {
        List<String> topics = store.listMirrors(link).stream().filter(MirrorLifecycle::keptReadOnly)
                .map(Mirror::mirrorTopic).toList();
        Optional<DestinationCluster> cluster = clusters.byIdIfKnown(link.clusterId());
        if (topics.isEmpty() || cluster.isEmpty()) {
            return;
        }
        List<String> unprotected = acls.unprotected(cluster.get(), topics);
        if (unprotected.isEmpty()) {
            return;
        }
        if (!acls.protect(cluster.get(), unprotected)) {
            return;
        }
        LOG.infof("Mirror topics %s of link '%s' were writable: added their read-only ACL (DENY WRITE for User:*)",
                unprotected, link.name());
        for (String topic : unprotected) {
            boolean stillMirror = store.findMirror(link.clusterId(), topic).filter(MirrorLifecycle::keptReadOnly)
                    .isPresent();
            if (!stillMirror) {
                acls.lift(cluster.get(), topic);
            }
        }
    }
}
