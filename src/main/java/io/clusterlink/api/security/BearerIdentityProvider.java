package io.clusterlink.api.security;

import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;

/** Verifies the JWT access tokens of {@link BearerAuthenticationMechanism} and maps their roles claim. */
@ApplicationScoped
public class BearerIdentityProvider implements IdentityProvider<TokenAuthenticationRequest> {

    private static final Logger LOG = Logger.getLogger(BearerIdentityProvider.class);

    private final ApiCredentials credentials;

    BearerIdentityProvider(ApiCredentials credentials) {
        this.credentials = credentials;
    }

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        if (credentials.bearer().isEmpty()) {
            LOG.debug("Bearer token refused: no OIDC issuer is configured");
            return Uni.createFrom().failure(new AuthenticationFailedException("Bearer tokens are not accepted"));
        }
        JwtVerifier verifier = credentials.bearer().get();
        // Verifying may fetch the issuer's keys: not on the event loop.
        return context.runBlocking(() -> {
            JsonNode claims;
            try {
                claims = verifier.verify(request.getToken().getToken());
            } catch (JwtVerifier.InvalidTokenException e) {
                LOG.debugf("Bearer token refused: %s", e.getMessage());
                throw new AuthenticationFailedException("Invalid bearer token");
            }
            String name = claims.path("preferred_username").asText(claims.path("sub").asText("unknown"));
            Set<String> roles = credentials.roles(claims);
            return QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal(name)).addRoles(roles)
                    .addAttribute("claims", claims).build();
        });
    }
}
