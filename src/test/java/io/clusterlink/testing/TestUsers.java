package io.clusterlink.testing;

/**
 * The API users of the test profile ({@code %test.clusterlink.api.users.*} in application.properties
 * holds their hashes). {@link OperatorByDefault} makes every request of a test authenticate as
 * {@link #OPERATOR} unless the test says otherwise.
 */
public final class TestUsers {

    public static final String OPERATOR = "test-operator";
    public static final String OPERATOR_PASSWORD = "test-operator-password";
    public static final String VIEWER = "test-viewer";
    public static final String VIEWER_PASSWORD = "test-viewer-password";
    /** Only for the login throttle's test, whose failures must not throttle the other users. */
    public static final String THROTTLED = "test-throttled";
    public static final String THROTTLED_PASSWORD = "test-throttled-password";

    private TestUsers() {
    }

    /** An {@code Authorization} header value for the operator, for clients other than REST Assured. */
    public static String operatorAuthorization() {
        return "Basic " + java.util.Base64.getEncoder().encodeToString(
                (OPERATOR + ":" + OPERATOR_PASSWORD).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
