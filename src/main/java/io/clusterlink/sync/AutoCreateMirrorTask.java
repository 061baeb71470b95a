package io.clusterlink.sync;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.clusterlink.kafka.KafkaCallException;
import io.clusterlink.kafka.KafkaErrors;
import io.clusterlink.kafka.SourceTopics;
import io.clusterlink.link.ClusterLinkException;
import io.clusterlink.link.Link;
import io.clusterlink.link.LinkView;
import io.clusterlink.link.NameFilters;
import io.clusterlink.service.LinkService;
import io.clusterlink.service.LinkTasks;
import io.clusterlink.service.MirrorCreation;

/**
 * {@code auto.create.mirror.topics.enable}: source topics that match the link's topic filters
 * get mirror topics (internal topics never). A mirror that cannot be created, e.g. because the
 * destination already has a topic of that name, is a task error, retried every interval.
 */
@ApplicationScoped
class AutoCreateMirrorTask implements LinkSyncTask {

    private static final Logger LOG = Logger.getLogger(AutoCreateMirrorTask.class);

    private final LinkService links;
    private final MirrorCreation mirrors;
    private final SourceTopics sourceTopics;
    private final LinkTasks tasks;

    AutoCreateMirrorTask(LinkService links, MirrorCreation mirrors, SourceTopics sourceTopics, LinkTasks tasks) {
        this.links = links;
        this.mirrors = mirrors;
        this.sourceTopics = sourceTopics;
        this.tasks = tasks;
    }

    @Override
    public String name() {
        return LinkTasks.AUTO_CREATE_MIRROR;
    }

    @Override
    public boolean enabled(Link link) {
        return link.settings().autoCreateMirrors();
    }

    @Override
    public long intervalMs(Link link) {
        return link.settings().topicSyncIntervalMs();
    }

    @Override
    public boolean run(Link link) {
        NameFilters filters = link.settings().autoCreateFilters();
        Set<String> names;
        try {
            names = sourceTopics.names(link);
        } catch (KafkaCallException e) {
            tasks.report(link.id(), name(), List.of(new LinkView.TaskError(e.is(KafkaErrors.Kind.TIMEOUT)
                    ? "INTERNAL_ERROR" : "MISCONFIGURATION_ERROR",
                    "Cannot list the source topics: " + e.getMessage())));
            return false;
        }
        Set<String> mirrored = links.mirroredSourceTopics(link);
        List<LinkView.TaskError> errors = new ArrayList<>();
        for (String topic : names) {
            if (!filters.matches(topic) || mirrored.contains(topic)) {
                continue;
            }
            try {
                mirrors.create(link.clusterId(), link.name(), new MirrorCreation.CreateMirror(topic, null, null, null));
                LOG.infof("Auto-created a mirror of '%s' on link '%s'", topic, link.name());
            } catch (ClusterLinkException.Conflict e) {
                errors.add(new LinkView.TaskError("TOPIC_EXISTS_ERROR", e.getMessage()));
            } catch (ClusterLinkException e) {
                errors.add(new LinkView.TaskError("INTERNAL_ERROR",
                        "Cannot mirror '" + topic + "': " + e.getMessage()));
            }
        }
        tasks.report(link.id(), name(), errors);
        return errors.isEmpty();
    }
}
