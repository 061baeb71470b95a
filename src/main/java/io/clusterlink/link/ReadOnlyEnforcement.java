package io.clusterlink.link;

/**
 * Whether mirror topics on a destination cluster are read-only: {@code enforced} null when it
 * could not be found out (the cluster did not answer); {@code message} says why not, null when
 * enforced.
 */
public record ReadOnlyEnforcement(Boolean enforced, String message) {

    private static final String CONSEQUENCE = "; a write by another client to a mirror topic moves the mirror "
            + "partition to FAILED (ILLEGAL_STATE) instead of shifting its offsets";

    public static ReadOnlyEnforcement yes() {
        return new ReadOnlyEnforcement(true, null);
    }

    public static ReadOnlyEnforcement no(String reason) {
        return new ReadOnlyEnforcement(false, "Mirror topics are not read-only: " + reason + CONSEQUENCE);
    }

    public static ReadOnlyEnforcement unknown(String reason) {
        return new ReadOnlyEnforcement(null, "Cannot tell whether mirror topics are read-only: " + reason);
    }
}
