package io.clusterlink.api.security;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import io.clusterlink.config.ClusterlinkConfig;
import io.quarkus.runtime.StartupEvent;

/**
 * What the API accepts as credentials, read from {@code clusterlink.api.*} and checked at start:
 * the Basic users, and the OIDC issuer whose bearer tokens are verified (when one is configured).
 */
@Singleton
public class ApiCredentials {

    private static final Logger LOG = Logger.getLogger(ApiCredentials.class);

    private final ClusterlinkConfig.Api config;
    private final ConfiguredUsers users;
    private final JwtVerifier bearer;

    ApiCredentials(ClusterlinkConfig config) {
        this.config = config.api();
        this.users = ConfiguredUsers.from(this.config.users());
        ClusterlinkConfig.Oidc oidc = this.config.oidc();
        this.bearer = oidc.issuer().map(issuer -> new JwtVerifier(issuer, oidc.audience().orElse(List.of()),
                oidc.clockSkew(), new IssuerKeys(issuer, oidc.jwksUrl().orElse(null), oidc.timeout(),
                        oidc.jwksRefreshInterval(), oidc.jwksMinRefetchInterval(), Clock.systemUTC()),
                Clock.systemUTC())).orElse(null);
        if (bearer == null && oidc.jwksUrl().isPresent()) {
            throw new IllegalArgumentException(
                    "clusterlink.api.oidc.jwks-url is set without clusterlink.api.oidc.issuer: tokens are checked against the issuer");
        }
    }

    void logAtStart(@Observes StartupEvent event) {
        String oidc = config.oidc().issuer().map(i -> "bearer tokens of OIDC issuer " + i
                + config.oidc().audience().map(a -> " for audience " + a).orElse(" (audience not checked)"))
                .orElse("no OIDC issuer");
        if (!config.auth().enabled()) {
            LOG.warn("API access control is off (clusterlink.api.auth.enabled=false): anyone who reaches the port "
                    + "may change links and mirrors");
        } else if (users.isEmpty() && bearer == null) {
            LOG.warn("API access control is on, but no users (clusterlink.api.users.*) and no OIDC issuer "
                    + "(clusterlink.api.oidc.issuer) are configured: every API request will be refused with 401");
        } else {
            LOG.infof("API access control is on: Basic users %s; %s", users.names(), oidc);
        }
    }

    public ConfiguredUsers users() {
        return users;
    }

    /** Whether bearer tokens are accepted (an OIDC issuer is configured). */
    public boolean bearerEnabled() {
        return bearer != null;
    }

    /** The verifier of bearer tokens, if an issuer is configured. */
    public Optional<JwtVerifier> bearer() {
        return Optional.ofNullable(bearer);
    }

    /** The API roles a verified token grants. */
    public Set<String> roles(JsonNode claims) {
        ClusterlinkConfig.Oidc oidc = config.oidc();
        return JwtVerifier.roles(claims, oidc.rolesClaim(), oidc.operatorRoles(), oidc.viewerRoles());
    }
}
