package io.clusterlink.api.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Iterator;
import java.util.Map;

import org.eclipse.microprofile.config.spi.ConfigSource;
import org.junit.jupiter.api.Test;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigValue;

class OidcConfigSourceFactoryTest {

    private static final String ISSUER = "https://keycloak.example.com/realms/kafka";

    @Test
    void withoutAnIssuerTheTenantIsOff() {
        Map<String, String> oidc = oidc(Map.of());

        assertThat(oidc).containsExactly(Map.entry("quarkus.oidc.tenant-enabled", "false"));
    }

    @Test
    void anIssuerIsVerifiedLocallyAndPinnedAsTheTokensIssuer() {
        Map<String, String> oidc = oidc(Map.of("issuer", ISSUER, "audience", "clusterlink,clusterlink-ui"));

        assertThat(oidc).containsEntry("quarkus.oidc.tenant-enabled", "true")
                .containsEntry("quarkus.oidc.application-type", "service")
                .containsEntry("quarkus.oidc.auth-server-url", ISSUER)
                .containsEntry("quarkus.oidc.token.issuer", ISSUER)
                .containsEntry("quarkus.oidc.token.audience", "clusterlink,clusterlink-ui")
                .containsEntry("quarkus.oidc.token.lifespan-grace", "30")
                .containsEntry("quarkus.oidc.token.forced-jwk-refresh-interval", "PT10S")
                .containsEntry("quarkus.oidc.connection-timeout", "PT5S")
                .containsEntry("quarkus.oidc.token.allow-jwt-introspection", "false")
                .containsEntry("quarkus.oidc.token.allow-opaque-token-introspection", "false")
                .doesNotContainKeys("quarkus.oidc.discovery-enabled", "quarkus.oidc.jwks-path");
    }

    @Test
    void aJwksUrlReplacesDiscoveryAndTheDurationsAreTaken() {
        Map<String, String> oidc = oidc(Map.of("issuer", ISSUER, "audience", "clusterlink", "jwks-url",
                ISSUER + "/protocol/openid-connect/certs", "clock-skew", "1m", "timeout", "2s",
                "jwks-min-refetch-interval", "30s"));

        assertThat(oidc).containsEntry("quarkus.oidc.discovery-enabled", "false")
                .containsEntry("quarkus.oidc.jwks-path", ISSUER + "/protocol/openid-connect/certs")
                .containsEntry("quarkus.oidc.token.lifespan-grace", "60")
                .containsEntry("quarkus.oidc.connection-timeout", "PT2S")
                .containsEntry("quarkus.oidc.token.forced-jwk-refresh-interval", "PT30S");
    }

    @Test
    void aBadDurationNamesTheSetting() {
        assertThatThrownBy(() -> oidc(Map.of("issuer", ISSUER, "clock-skew", "soon")))
                .hasMessageStartingWith("clusterlink.api.oidc.clock-skew is not a duration");
    }

    private static Map<String, String> oidc(Map<String, String> settings) {
        ConfigSourceContext context = new ConfigSourceContext() {
            @Override
            public ConfigValue getValue(String name) {
                String value = name.startsWith(OidcConfigSourceFactory.PREFIX)
                        ? settings.get(name.substring(OidcConfigSourceFactory.PREFIX.length()))
                        : null;
                return ConfigValue.builder().withName(name).withValue(value).build();
            }

            @Override
            public Iterator<String> iterateNames() {
                return settings.keySet().stream().map(k -> OidcConfigSourceFactory.PREFIX + k).iterator();
            }
        };
        ConfigSource source = new OidcConfigSourceFactory().getConfigSources(context).iterator().next();
        assertThat(source.getOrdinal()).isLessThan(250);
        return source.getProperties();
    }
}
