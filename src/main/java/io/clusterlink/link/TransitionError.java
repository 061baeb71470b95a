package io.clusterlink.link;

/**
 * A mirror state transition that ended in an error: the {@link MirrorTopicError} name and the
 * message recorded with it (Confluent's {@code mirror_state_transition_errors} items).
 */
public record TransitionError(String code, String message) {
}
