package io.clusterlink.sync;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.clusterlink.kafka.KafkaCallException;
import io.clusterlink.link.ClusterLinkException;
import io.clusterlink.link.Link;
import io.clusterlink.service.ReadOnlyMirrors;

/**
 * Every {@code topic.config.sync.ms}, gives the link's mirror topics their read-only ACL back if
 * someone deleted it, or if they were created before the destination could enforce read-only.
 * It needs only the destination, so it runs while the link is paused or unavailable too. Not a v3
 * link task: whether read-only is enforced is shown on the link itself.
 */
@ApplicationScoped
class ReadOnlyMirrorsTask implements LinkSyncTask {

    private static final Logger LOG = Logger.getLogger(ReadOnlyMirrorsTask.class);

    private final ReadOnlyMirrors mirrors;

    ReadOnlyMirrorsTask(ReadOnlyMirrors mirrors) {
        this.mirrors = mirrors;
    }

    @Override
    public String name() {
        return "ReadOnlyMirrors";
    }

    @Override
    public boolean runsWhileUnavailable() {
        return true;
    }

    @Override
    public boolean runsWhilePaused() {
        return true;
    }

    @Override
    public long intervalMs(Link link) {
        return link.settings().topicSyncIntervalMs();
    }

    @Override
    public boolean run(Link link) {
        try {
            mirrors.keepReadOnly(link);
            return true;
        } catch (KafkaCallException | ClusterLinkException e) {
            LOG.warnf("Cannot check that the mirror topics of link '%s' are read-only: %s", link.name(),
                    e.getMessage());
            return false;
        }
    }
}
