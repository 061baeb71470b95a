package io.clusterlink.api.security;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;

/** Checks the user name and password of Quarkus' Basic mechanism against {@link ConfiguredUsers}. */
@ApplicationScoped
public class BasicIdentityProvider implements IdentityProvider<UsernamePasswordAuthenticationRequest> {

    private static final Logger LOG = Logger.getLogger(BasicIdentityProvider.class);

    private final ApiCredentials credentials;

    BasicIdentityProvider(ApiCredentials credentials) {
        this.credentials = credentials;
    }

    @Override
    public Class<UsernamePasswordAuthenticationRequest> getRequestType() {
        return UsernamePasswordAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(UsernamePasswordAuthenticationRequest request,
            AuthenticationRequestContext context) {
        // A password hash takes tens of milliseconds: not on the event loop.
        return context.runBlocking(() -> {
            ConfiguredUsers.User user = credentials.users().authenticate(request.getUsername(),
                    request.getPassword().getPassword());
            if (user == null) {
                LOG.debugf("Basic authentication failed for user '%s'", request.getUsername());
                throw new AuthenticationFailedException("Invalid user name or password");
            }
            return QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal(user.name()))
                    .addRoles(user.roles()).build();
        });
    }
}
