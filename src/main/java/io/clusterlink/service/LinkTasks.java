package io.clusterlink.service;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.clusterlink.link.LinkView;

/** The last outcome of each link task, as the sync tasks report it; shown with {@code include_tasks}. */
@ApplicationScoped
public class LinkTasks {

    public static final String CONSUMER_OFFSET_SYNC = "ConsumerOffsetSync";
    public static final String ACL_SYNC = "AclSync";
    public static final String TOPIC_CONFIGS_SYNC = "TopicConfigsSync";
    public static final String AUTO_CREATE_MIRROR = "AutoCreateMirror";
    /** Every task, in the order links show them. */
    public static final List<String> ALL = List.of(CONSUMER_OFFSET_SYNC, ACL_SYNC, TOPIC_CONFIGS_SYNC,
            AUTO_CREATE_MIRROR);

    private final Map<Long, Map<String, LinkView.LinkTask>> outcomes = new ConcurrentHashMap<>();

    /** Records a run of {@code task} on a link: ACTIVE without errors, IN_ERROR with them. */
    public void report(long linkId, String task, List<LinkView.TaskError> errors) {
        if (!ALL.contains(task)) {
            throw new IllegalArgumentException("Unknown link task " + task);
        }
        outcomes.computeIfAbsent(linkId, id -> new ConcurrentHashMap<>()).put(task,
                new LinkView.LinkTask(task, errors.isEmpty() ? "ACTIVE" : "IN_ERROR", List.copyOf(errors)));
    }

    Optional<LinkView.LinkTask> last(long linkId, String task) {
        return Optional.ofNullable(outcomes.getOrDefault(linkId, Map.of()).get(task));
    }

    void forget(long linkId) {
        outcomes.remove(linkId);
    }
}
