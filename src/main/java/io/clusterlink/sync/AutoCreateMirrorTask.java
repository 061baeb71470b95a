package io.clusterlink.sync;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.admin.Admin;
import org.jboss.logging.Logger;

import io.clusterlink.config.ClusterlinkConfig;
import io.clusterlink.kafka.KafkaClients;
import io.clusterlink.kafka.KafkaErrors;
import io.clusterlink.link.ClusterLinkException;
import io.clusterlink.link.Link;
import io.clusterlink.service.LinkService;
import io.clusterlink.service.LinkTasks;
import io.clusterlink.link.LinkView;
import io.clusterlink.service.MirrorService;
import io.clusterlink.link.NameFilters;

/**
 * {@code auto.create.mirror.topics.enable}: source topics that match the link's topic filters
 * get mirror topics (internal topics never). A mirror that cannot be created, e.g. because the
 * destination already has a topic of that name, is a task error, retried every interval.
 */
@ApplicationScoped
class AutoCreateMirrorTask implements LinkSyncTask {

    private static final Logger LOG = Logger.getLogger(AutoCreateMirrorTask.class);

    private final LinkService links;
    private final MirrorService mirrors;
    private final LinkTasks tasks;
    private final Duration timeout;

    AutoCreateMirrorTask(LinkService links, MirrorService mirrors, LinkTasks tasks, ClusterlinkConfig config) {
        this.links = links;
        this.mirrors = mirrors;
        this.tasks = tasks;
        this.timeout = config.sourceTimeout();
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
    public void run(Link link) throws Exception {
        NameFilters filters = link.settings().autoCreateFilters();
        Set<String> sourceTopics;
        try (Admin admin = KafkaClients.admin(link.settings().sourceClientProperties(),
                "clusterlink-auto-create-" + link.name(), timeout)) {
            sourceTopics = new TreeSet<>(admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (Exception e) {
            tasks.report(link.id(), name(), List.of(new LinkView.TaskError(KafkaErrors.isTimeout(e)
                    ? "INTERNAL_ERROR" : "MISCONFIGURATION_ERROR",
                    "Cannot list the source topics: " + KafkaErrors.describe(e))));
            return;
        }
        Set<String> mirrored = links.mirroredSourceTopics(link);
        List<LinkView.TaskError> errors = new ArrayList<>();
        for (String topic : sourceTopics) {
            if (!filters.matches(topic) || mirrored.contains(topic)) {
                continue;
            }
            try {
                mirrors.create(link.clusterId(), link.name(), new MirrorService.CreateMirror(topic, null, null, null));
                LOG.infof("Auto-created a mirror of '%s' on link '%s'", topic, link.name());
            } catch (ClusterLinkException.Conflict e) {
                errors.add(new LinkView.TaskError("TOPIC_EXISTS_ERROR", e.getMessage()));
            } catch (ClusterLinkException e) {
                errors.add(new LinkView.TaskError("INTERNAL_ERROR",
                        "Cannot mirror '" + topic + "': " + e.getMessage()));
            }
        }
        tasks.report(link.id(), name(), errors);
    }
}
