package io.clusterlink.sync;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.clusterlink.link.Link;
import io.clusterlink.link.LinkView;
import io.clusterlink.service.ConsumerOffsetSync;
import io.clusterlink.service.LinkTasks;

/**
 * {@code consumer.offset.sync.enable}: every {@code consumer.offset.sync.ms}, the committed offsets
 * of matching source groups on the link's mirrored topics are synced to the destination (see
 * {@link ConsumerOffsetSync}); each run's errors are the task's state.
 */
@ApplicationScoped
class ConsumerOffsetSyncTask implements LinkSyncTask {

    private final ConsumerOffsetSync offsets;
    private final LinkTasks tasks;

    ConsumerOffsetSyncTask(ConsumerOffsetSync offsets, LinkTasks tasks) {
        this.offsets = offsets;
        this.tasks = tasks;
    }

    @Override
    public String name() {
        return LinkTasks.CONSUMER_OFFSET_SYNC;
    }

    @Override
    public boolean enabled(Link link) {
        return link.settings().consumerOffsetSync();
    }

    @Override
    public long intervalMs(Link link) {
        return link.settings().offsetSyncIntervalMs();
    }

    @Override
    public boolean run(Link link) {
        List<LinkView.TaskError> errors = offsets.sync(link);
        tasks.report(link.id(), name(), errors);
        return errors.isEmpty();
    }
}
