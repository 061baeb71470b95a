package io.clusterlink.api.security;

import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.BasicAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

/**
 * Answers a request without credentials. It authenticates nothing itself (Basic is Quarkus' mechanism, bearer
 * tokens Quarkus OIDC's); it ranks above both, so that its challenge is the one sent: a v3 error body with
 * every {@code WWW-Authenticate} challenge the API accepts (see {@link AuthFailureResponses}), where Quarkus
 * would send one challenge and an empty body.
 */
@ApplicationScoped
public class ChallengeMechanism implements HttpAuthenticationMechanism {

    static final int PRIORITY = BasicAuthenticationMechanism.PRIORITY + 500;

    private final AuthFailureResponses responses;

    ChallengeMechanism(AuthFailureResponses responses) {
        this.responses = responses;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviderManager) {
        return Uni.createFrom().nullItem();
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, HttpHeaderNames.WWW_AUTHENTICATE,
                responses.challenges().get(0)));
    }

    @Override
    public Uni<Boolean> sendChallenge(RoutingContext context) {
        responses.unauthorized(context);
        return Uni.createFrom().item(true);
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of();
    }

    @Override
    public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
        return Uni.createFrom().nullItem();
    }

    @Override
    public int getPriority() {
        return PRIORITY;
    }
}
