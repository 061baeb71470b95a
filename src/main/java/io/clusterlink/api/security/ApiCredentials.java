package io.clusterlink.api.security;

import java.time.Clock;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import io.clusterlink.config.ClusterlinkConfig;
import io.quarkus.runtime.StartupEvent;

/**
 * What the API accepts as credentials, read from {@code clusterlink.api.*} and checked at start:
 * the Basic users and their login throttle, and the OIDC issuer whose bearer tokens Quarkus OIDC verifies
 * (when one is configured; {@link OidcConfigSourceFactory} passes the settings on).
 */
@Singleton
public class ApiCredentials {

    private static final Logger LOG = Logger.getLogger(ApiCredentials.class);
    /** Quarkus OIDC's wildcard for {@code quarkus.oidc.token.audience}: it would skip the check. */
    private static final String ANY_AUDIENCE = "any";

    private final ClusterlinkConfig.Api config;
    private final ConfiguredUsers users;
    private final LoginThrottle throttle;

    ApiCredentials(ClusterlinkConfig config) {
        this.config = config.api();
        this.users = ConfiguredUsers.from(this.config.users(), this.config.credentialCacheTtl(), Clock.systemUTC());
        this.throttle = new LoginThrottle(this.config.loginThrottle(), Clock.systemUTC());
        check(this.config.oidc());
    }

    /** Fails the start on OIDC settings that would accept the wrong tokens or none. */
    static void check(ClusterlinkConfig.Oidc oidc) {
        if (oidc.issuer().isEmpty()) {
            if (oidc.jwksUrl().isPresent()) {
                throw new IllegalArgumentException("clusterlink.api.oidc.jwks-url is set without "
                        + "clusterlink.api.oidc.issuer: tokens are checked against the issuer");
            }
            return;
        }
        List<String> audience = oidc.audience().orElse(List.of()).stream().map(String::trim)
                .filter(a -> !a.isEmpty()).toList();
        if (audience.isEmpty()) {
            throw new IllegalArgumentException(
                    "clusterlink.api.oidc.audience is required with clusterlink.api.oidc.issuer: "
                            + "without it any token of the issuer, made for any service, would be accepted. Set it to the "
                            + "audience (aud) the issuer puts in tokens for this service, e.g. its client id");
        }
        if (audience.stream().anyMatch(ANY_AUDIENCE::equalsIgnoreCase)) {
            throw new IllegalArgumentException("clusterlink.api.oidc.audience may not be '" + ANY_AUDIENCE
                    + "': name the audience (aud) of tokens for this service");
        }
    }

    void logAtStart(@Observes StartupEvent event) {
        ClusterlinkConfig.Oidc oidc = config.oidc();
        String bearer = oidc.issuer().map(i -> "bearer tokens of OIDC issuer " + i + " for audience "
                + oidc.audience().orElse(List.of())).orElse("no OIDC issuer");
        if (oidc.jwksRefreshInterval().isPresent()) {
            LOG.warn("clusterlink.api.oidc.jwks-refresh-interval has no effect any more: the issuer's keys are fetched "
                    + "at start and when a token names an unknown key (see clusterlink.api.oidc.jwks-min-refetch-interval)");
        }
        if (!config.auth().enabled()) {
            LOG.warn("API access control is off (clusterlink.api.auth.enabled=false): anyone who reaches the port "
                    + "may change links and mirrors");
        } else if (users.isEmpty() && !bearerEnabled()) {
            LOG.warn("API access control is on, but no users (clusterlink.api.users.*) and no OIDC issuer "
                    + "(clusterlink.api.oidc.issuer) are configured: every API request will be refused with 401");
        } else {
            LOG.infof("API access control is on: Basic users %s; %s", users.names(), bearer);
        }
        List<String> weak = users.weakerThanDefault();
        if (!weak.isEmpty()) {
            LOG.warnf("The password hashes of Basic users %s have fewer than %d iterations: they still work, but "
                    + "make new ones with io.clusterlink.api.security.PasswordHash (see the README)", weak,
                    PasswordHash.DEFAULT_ITERATIONS);
        }
    }

    public ConfiguredUsers users() {
        return users;
    }

    public LoginThrottle throttle() {
        return throttle;
    }

    /** Whether bearer tokens are accepted (an OIDC issuer is configured). */
    public boolean bearerEnabled() {
        return config.oidc().issuer().isPresent();
    }

    /** The API roles that the claims of a verified token grant. */
    public Set<String> roles(JsonNode claims) {
        ClusterlinkConfig.Oidc oidc = config.oidc();
        return TokenRoles.roles(claims, oidc.rolesClaim(), oidc.operatorRoles(), oidc.viewerRoles());
    }
}
