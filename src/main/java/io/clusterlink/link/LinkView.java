package io.clusterlink.link;

import java.util.List;
import java.util.Map;

/**
 * A link with its mirror topic names, whether its mirror topics are read-only on the destination
 * cluster, its mirror partitions counted by {@link StateCategory} (every category, in declaration
 * order) and, when asked for, its tasks.
 */
public record LinkView(Link link, List<String> topicNames, ReadOnlyEnforcement readOnly,
        Map<StateCategory, Integer> categoryCounts, List<LinkTask> tasks) {

    /** One link task ({@code ConsumerOffsetSync}, ...), its state and errors. */
    public record LinkTask(String name, String state, List<TaskError> errors) {
    }

    public record TaskError(String code, String message) {
    }
}
