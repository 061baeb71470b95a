package io.clusterlink.link;

/**
 * The few categories of failure the API reports. One mapper turns each into a v3 error body;
 * messages are for people and never carry secrets or stack traces.
 */
public abstract sealed class ClusterLinkException extends RuntimeException {

    protected ClusterLinkException(String message) {
        super(message);
    }

    protected ClusterLinkException(String message, Throwable cause) {
        super(message, cause);
    }

    /** HTTP status of this category. */
    public abstract int status();

    /** v3 {@code error_code}. */
    public abstract int errorCode();

    /** Invalid input: a bad name, config, body or parameter (400, error code 40002). */
    public static final class InvalidRequest extends ClusterLinkException {
        public InvalidRequest(String message) {
            super(message);
        }

        public InvalidRequest(String message, Throwable cause) {
            super(message, cause);
        }

        @Override
        public int status() {
            return 400;
        }

        @Override
        public int errorCode() {
            return 40002;
        }
    }

    /** The request cannot reach or use a remote cluster: unreachable bootstrap, bad credentials (400, 40003). */
    public static final class SourceUnavailable extends ClusterLinkException {
        public SourceUnavailable(String message, Throwable cause) {
            super(message, cause);
        }

        @Override
        public int status() {
            return 400;
        }

        @Override
        public int errorCode() {
            return 40003;
        }
    }

    /** Unknown cluster, link, mirror or source topic (404). */
    public static final class NotFound extends ClusterLinkException {
        public NotFound(String message) {
            super(message);
        }

        @Override
        public int status() {
            return 404;
        }

        @Override
        public int errorCode() {
            return 40403;
        }
    }

    /** Already exists, or the current state forbids the request (409). */
    public static final class Conflict extends ClusterLinkException {
        public Conflict(String message) {
            super(message);
        }

        @Override
        public int status() {
            return 409;
        }

        @Override
        public int errorCode() {
            return 40901;
        }
    }

    /** A destination cluster the request needs is not reachable right now (503, retriable). */
    public static final class ClusterUnavailable extends ClusterLinkException {
        public ClusterUnavailable(String message, Throwable cause) {
            super(message, cause);
        }

        @Override
        public int status() {
            return 503;
        }

        @Override
        public int errorCode() {
            return 50003;
        }
    }
}
