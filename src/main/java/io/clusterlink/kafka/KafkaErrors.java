package io.clusterlink.kafka;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SecurityDisabledException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.config.ConfigException;


/** The one place that turns Kafka client exceptions into messages and error categories. */
public final class KafkaErrors {

    private KafkaErrors() {
    }

    /** The Kafka exception inside executor/future wrappers. */
    public static Throwable unwrap(Throwable t) {
        Throwable cur = t;
        while ((cur instanceof ExecutionException || cur instanceof CompletionException) && cur.getCause() != null) {
            cur = cur.getCause();
        }
        if (cur instanceof org.apache.kafka.common.KafkaException && cur.getCause() instanceof ConfigException) {
            return cur.getCause();
        }
        return cur;
    }

    /** A short message for people: no class names, no stack traces. */
    public static String describe(Throwable t) {
        Throwable cause = unwrap(t);
        String msg = cause.getMessage() == null ? "" : cause.getMessage();
        if (cause instanceof TimeoutException) {
            return "timed out waiting for the cluster" + (msg.isEmpty() ? "" : " (" + msg + ")");
        }
        if (cause instanceof AuthenticationException) {
            return "authentication failed" + (msg.isEmpty() ? "" : ": " + msg);
        }
        if (cause instanceof AuthorizationException) {
            return "not authorized" + (msg.isEmpty() ? "" : ": " + msg);
        }
        if (cause instanceof UnknownTopicOrPartitionException) {
            return "unknown topic or partition";
        }
        if (cause instanceof SecurityDisabledException) {
            return "no authorizer is configured" + (msg.isEmpty() ? "" : " (" + msg + ")");
        }
        return msg.isEmpty() ? "unexpected error" : msg;
    }

    public static boolean isUnknownTopic(Throwable t) {
        return unwrap(t) instanceof UnknownTopicOrPartitionException;
    }

    public static boolean isTimeout(Throwable t) {
        return unwrap(t) instanceof TimeoutException;
    }

    /**
     * The v3 link task error code for a failed call: {@code SECURITY_DISABLED_ERROR} (the cluster
     * has no authorizer), {@code AUTHORIZATION_ERROR}, {@code AUTHENTICATION_ERROR}, else
     * {@code INTERNAL_ERROR}.
     */
    public static String taskErrorCode(Throwable t) {
        Throwable cause = unwrap(t);
        if (cause instanceof SecurityDisabledException) {
            return "SECURITY_DISABLED_ERROR";
        }
        if (cause instanceof AuthorizationException) {
            return "AUTHORIZATION_ERROR";
        }
        if (cause instanceof AuthenticationException) {
            return "AUTHENTICATION_ERROR";
        }
        return "INTERNAL_ERROR";
    }

    /** The cluster has no authorizer, so it has no ACLs either. */
    public static boolean isSecurityDisabled(Throwable t) {
        return unwrap(t) instanceof SecurityDisabledException;
    }

    public static boolean isAuthorization(Throwable t) {
        return unwrap(t) instanceof AuthorizationException;
    }

    /** Wrong client settings: authentication failed or a client config is invalid. */
    public static boolean isMisconfiguration(Throwable t) {
        Throwable cause = unwrap(t);
        return cause instanceof AuthenticationException || cause instanceof ConfigException;
    }

    public static boolean isGroupNotFound(Throwable t) {
        return unwrap(t) instanceof GroupIdNotFoundException;
    }

    /** The group got members while its offsets were being written: the coordinator refused the write. */
    public static boolean isGroupActive(Throwable t) {
        Throwable cause = unwrap(t);
        return cause instanceof UnknownMemberIdException || cause instanceof GroupNotEmptyException
                || cause instanceof RebalanceInProgressException;
    }
}
