package io.clusterlink.api.security;

import java.io.IOException;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * The API roles of a bearer token that Quarkus OIDC verified: the values of {@code clusterlink.api.oidc.roles-claim}
 * mapped through {@code operator-roles} and {@code viewer-roles}. They replace the roles Quarkus read from the
 * token itself (its {@code groups}, say), so that a group merely named {@code operator} grants nothing unless
 * it is configured to.
 */
@ApplicationScoped
public class TokenRoles implements SecurityIdentityAugmentor {

    private static final Logger LOG = Logger.getLogger(TokenRoles.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ApiCredentials credentials;

    TokenRoles(ApiCredentials credentials) {
        this.credentials = credentials;
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken token)) {
            return Uni.createFrom().item(identity);
        }
        Set<String> roles = credentials.roles(claims(token.getRawToken()));
        LOG.debugf("Bearer token of '%s' grants the roles %s", token.getName(), roles);
        return Uni.createFrom().item(QuarkusSecurityIdentity.builder().setPrincipal(identity.getPrincipal())
                .addCredentials(identity.getCredentials()).addAttributes(identity.getAttributes()).addRoles(roles)
                .build());
    }

    /** The payload of a token whose signature was checked. */
    private static JsonNode claims(String token) {
        String[] parts = token.split("\\.", -1);
        try {
            return JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
        } catch (IOException | IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            // Quarkus parsed it already: cannot happen, and grants nothing if it did
            return JSON.createObjectNode();
        }
    }

    /**
     * The API roles that {@code claims} grant: the values of {@code claimPath} (a dotted path such as
     * {@code realm_access.roles}, unless a claim has that whole name; an array of strings, or one string of
     * space- or comma-separated values) mapped through {@code operatorValues} and {@code viewerValues}.
     */
    public static Set<String> roles(JsonNode claims, String claimPath, List<String> operatorValues,
            List<String> viewerValues) {
        JsonNode node = claims.path(claimPath);
        if (node.isMissingNode()) {
            node = claims;
            for (String step : claimPath.split("\\.")) {
                node = node.path(step);
            }
        }
        Set<String> values = new LinkedHashSet<>();
        if (node.isArray()) {
            node.forEach(v -> {
                if (v.isTextual()) {
                    values.add(v.asText());
                }
            });
        } else if (node.isTextual()) {
            for (String v : node.asText().split("[\\s,]+")) {
                if (!v.isEmpty()) {
                    values.add(v);
                }
            }
        }
        Set<String> roles = new LinkedHashSet<>();
        for (String v : values) {
            if (operatorValues.contains(v)) {
                roles.add(ApiRoles.OPERATOR);
            }
            if (viewerValues.contains(v)) {
                roles.add(ApiRoles.VIEWER);
            }
        }
        return roles;
    }
}
