package io.clusterlink.link;

/**
 * The few categories of failure the API reports. One mapper turns each into a v3 error body;
 * messages are for people and never carry secrets or stack traces.
 */
public abstract sealed class ClusterLinkException extends RuntimeException {

    private final int status;
    private final int errorCode;

    protected ClusterLinkException(int status, int errorCode, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.errorCode = errorCode;
    }

    /** HTTP status of this category. */
    public int status() {
        return status;
    }

    /** v3 {@code error_code}. */
    public int errorCode() {
        return errorCode;
    }

    /** Invalid input: a bad name, config, body or parameter (400, error code 40002). */
    public static final class InvalidRequest extends ClusterLinkException {
        public InvalidRequest(String message) {
            super(400, 40002, message, null);
        }
    }

    /** The request cannot reach or use a remote cluster: unreachable bootstrap, bad credentials (400, 40003). */
    public static final class SourceUnavailable extends ClusterLinkException {
        public SourceUnavailable(String message, Throwable cause) {
            super(400, 40003, message, cause);
        }
    }

    /** Unknown cluster, link, mirror or source topic (404). */
    public static final class NotFound extends ClusterLinkException {
        public NotFound(String message) {
            super(404, 40403, message, null);
        }
    }

    /** Already exists, or the current state forbids the request (409). */
    public static final class Conflict extends ClusterLinkException {
        public Conflict(String message) {
            super(409, 40901, message, null);
        }
    }

    /** A destination cluster the request needs is not reachable right now (503, retriable). */
    public static final class ClusterUnavailable extends ClusterLinkException {
        public ClusterUnavailable(String message, Throwable cause) {
            super(503, 50003, message, cause);
        }
    }
}
