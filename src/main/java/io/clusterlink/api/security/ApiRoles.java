package io.clusterlink.api.security;

import java.util.Set;

/**
 * The API's two roles. {@code viewer} may read ({@code GET}); {@code operator} may do everything. The
 * HTTP permissions in {@code application.properties} say which paths and methods need which.
 */
public final class ApiRoles {

    public static final String VIEWER = "viewer";
    public static final String OPERATOR = "operator";
    public static final Set<String> ALL = Set.of(VIEWER, OPERATOR);

    private ApiRoles() {
    }
}
