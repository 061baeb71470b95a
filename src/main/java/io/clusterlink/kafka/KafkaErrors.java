package io.clusterlink.kafka;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.SecurityDisabledException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicDeletionDisabledException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.apache.kafka.common.errors.UnknownTopicIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import io.clusterlink.link.LinkError;

/**
 * The one place that turns Kafka client exceptions into categories and messages: every caller
 * asks {@link #classify} what went wrong and {@link #describe} how to say it.
 */
public final class KafkaErrors {

    /** What went wrong with a Kafka call, as far as a caller needs to decide. */
    public enum Kind {
        TIMEOUT,
        AUTHENTICATION,
        /** A client config the cluster cannot be reached with (e.g. an unresolvable bootstrap address). */
        MISCONFIGURATION,
        AUTHORIZATION,
        /** The cluster has no authorizer, so it has no ACLs either. */
        SECURITY_DISABLED,
        UNKNOWN_TOPIC,
        TOPIC_EXISTS,
        /**
         * The cluster refused the request for what it asks: a topic's configs, replication factor, a policy,
         * an illegal or internal topic, a delete while deletion is disabled.
         */
        INVALID_TOPIC_REQUEST,
        GROUP_NOT_FOUND,
        /** The group got members while its offsets were being written: the coordinator refused the write. */
        GROUP_ACTIVE,
        INTERRUPTED,
        OTHER
    }

    private KafkaErrors() {
    }

    /** The Kafka exception inside executor/future wrappers. */
    public static Throwable unwrap(Throwable t) {
        Throwable cur = t;
        while ((cur instanceof ExecutionException || cur instanceof CompletionException
                || cur instanceof KafkaCallException) && cur.getCause() != null) {
            cur = cur.getCause();
        }
        if (cur instanceof KafkaException && cur.getCause() instanceof ConfigException) {
            return cur.getCause();
        }
        return cur;
    }

    public static Kind classify(Throwable t) {
        Throwable cause = unwrap(t);
        if (cause instanceof TimeoutException || cause instanceof java.util.concurrent.TimeoutException) {
            return Kind.TIMEOUT;
        }
        if (cause instanceof InterruptedException || cause instanceof InterruptException) {
            return Kind.INTERRUPTED;
        }
        if (cause instanceof AuthenticationException) {
            return Kind.AUTHENTICATION;
        }
        if (cause instanceof ConfigException) {
            return Kind.MISCONFIGURATION;
        }
        if (cause instanceof SecurityDisabledException) {
            return Kind.SECURITY_DISABLED;
        }
        if (cause instanceof AuthorizationException) {
            return Kind.AUTHORIZATION;
        }
        if (cause instanceof UnknownTopicOrPartitionException || cause instanceof UnknownTopicIdException) {
            return Kind.UNKNOWN_TOPIC;
        }
        if (cause instanceof TopicExistsException) {
            return Kind.TOPIC_EXISTS;
        }
        if (cause instanceof InvalidConfigurationException || cause instanceof InvalidReplicationFactorException
                || cause instanceof PolicyViolationException || cause instanceof InvalidTopicException
                || cause instanceof TopicDeletionDisabledException) {
            return Kind.INVALID_TOPIC_REQUEST;
        }
        if (cause instanceof GroupIdNotFoundException) {
            return Kind.GROUP_NOT_FOUND;
        }
        if (cause instanceof UnknownMemberIdException || cause instanceof GroupNotEmptyException
                || cause instanceof RebalanceInProgressException) {
            return Kind.GROUP_ACTIVE;
        }
        return Kind.OTHER;
    }

    /** A short message for people: no class names, no stack traces. */
    public static String describe(Throwable t) {
        Throwable cause = unwrap(t);
        String msg = cause.getMessage() == null ? "" : cause.getMessage();
        return switch (classify(cause)) {
            case TIMEOUT -> "timed out waiting for the cluster" + (msg.isEmpty() ? "" : " (" + msg + ")");
            case AUTHENTICATION -> "authentication failed" + (msg.isEmpty() ? "" : ": " + msg);
            case AUTHORIZATION -> "not authorized" + (msg.isEmpty() ? "" : ": " + msg);
            case UNKNOWN_TOPIC -> "unknown topic or partition";
            case SECURITY_DISABLED -> "no authorizer is configured" + (msg.isEmpty() ? "" : " (" + msg + ")");
            case INTERRUPTED -> "interrupted";
            default -> msg.isEmpty() ? "unexpected error" : msg;
        };
    }

    public static boolean is(Throwable t, Kind kind) {
        return classify(t) == kind;
    }

    /**
     * The v3 link task error code for a failed call: {@code SECURITY_DISABLED_ERROR} (the cluster
     * has no authorizer), {@code AUTHORIZATION_ERROR}, {@code AUTHENTICATION_ERROR}, else
     * {@code INTERNAL_ERROR}.
     */
    public static String taskErrorCode(Throwable t) {
        return switch (classify(t)) {
            case SECURITY_DISABLED -> "SECURITY_DISABLED_ERROR";
            case AUTHORIZATION -> "AUTHORIZATION_ERROR";
            case AUTHENTICATION -> "AUTHENTICATION_ERROR";
            default -> "INTERNAL_ERROR";
        };
    }

    /**
     * The task error code of a sync that reads the source: a timeout is {@code INTERNAL_ERROR}
     * (it may pass), wrong settings are {@code MISCONFIGURATION_ERROR}.
     */
    public static String sourceTaskErrorCode(Throwable t) {
        return switch (classify(t)) {
            case AUTHORIZATION -> "AUTHORIZATION_ERROR";
            case AUTHENTICATION, MISCONFIGURATION -> "MISCONFIGURATION_ERROR";
            default -> "INTERNAL_ERROR";
        };
    }

    /** The link error of a failed availability check. */
    public static LinkError linkError(Throwable t) {
        return switch (classify(t)) {
            case AUTHENTICATION -> LinkError.AUTHENTICATION_ERROR;
            case MISCONFIGURATION -> LinkError.UNRESOLVABLE_BOOTSTRAP_ERROR;
            case TIMEOUT -> LinkError.TIMEOUT_ERROR;
            default -> LinkError.BOOTSTRAP_TCP_CONNECTION_FAILED_ERROR;
        };
    }
}
