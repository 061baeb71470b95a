package io.clusterlink.api.security;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.clusterlink.config.ClusterlinkConfig;

class ApiCredentialsTest {

    private static final String ISSUER = "https://keycloak.example.com/realms/kafka";

    @Test
    void anIssuerWithoutAnAudienceFailsTheStart() {
        assertThatThrownBy(() -> ApiCredentials.check(oidc(ISSUER, null, null)))
                .hasMessageStartingWith("clusterlink.api.oidc.audience is required with clusterlink.api.oidc.issuer");
        assertThatThrownBy(() -> ApiCredentials.check(oidc(ISSUER, List.of(" "), null)))
                .hasMessageStartingWith("clusterlink.api.oidc.audience is required");
    }

    @Test
    void quarkusWildcardAudienceIsRefused() {
        assertThatThrownBy(() -> ApiCredentials.check(oidc(ISSUER, List.of("clusterlink", "ANY"), null)))
                .hasMessageStartingWith("clusterlink.api.oidc.audience may not be 'any'");
    }

    @Test
    void aJwksUrlWithoutAnIssuerFailsTheStart() {
        assertThatThrownBy(() -> ApiCredentials.check(oidc(null, null, ISSUER + "/certs")))
                .hasMessageStartingWith("clusterlink.api.oidc.jwks-url is set without clusterlink.api.oidc.issuer");
    }

    @Test
    void anIssuerWithAnAudienceOrNoIssuerAtAllIsFine() {
        assertThatCode(() -> ApiCredentials.check(oidc(ISSUER, List.of("clusterlink"), null)))
                .doesNotThrowAnyException();
        assertThatCode(() -> ApiCredentials.check(oidc(null, null, null))).doesNotThrowAnyException();
    }

    private static ClusterlinkConfig.Oidc oidc(String issuer, List<String> audience, String jwksUrl) {
        return new ClusterlinkConfig.Oidc() {
            @Override
            public Optional<String> issuer() {
                return Optional.ofNullable(issuer);
            }

            @Override
            public Optional<String> jwksUrl() {
                return Optional.ofNullable(jwksUrl);
            }

            @Override
            public Optional<List<String>> audience() {
                return Optional.ofNullable(audience);
            }

            @Override
            public String rolesClaim() {
                return "groups";
            }

            @Override
            public List<String> operatorRoles() {
                return List.of("operator");
            }

            @Override
            public List<String> viewerRoles() {
                return List.of("viewer");
            }

            @Override
            public Duration clockSkew() {
                return Duration.ofSeconds(30);
            }

            @Override
            public Duration timeout() {
                return Duration.ofSeconds(5);
            }

            @Override
            @SuppressWarnings("deprecation")
            public Optional<Duration> jwksRefreshInterval() {
                return Optional.empty();
            }

            @Override
            public Duration jwksMinRefetchInterval() {
                return Duration.ofSeconds(10);
            }
        };
    }
}
