package io.clusterlink.api.security;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.clusterlink.config.ClusterlinkConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.PropertiesConfigSource;

/**
 * Passes {@code clusterlink.api.oidc.*} on to Quarkus OIDC's default tenant ({@code quarkus.oidc.*}): with no
 * issuer the tenant is off; with one it verifies bearer JWTs of that issuer locally: signature with the issuer's
 * keys (discovered, or {@code jwks-url}), {@code iss} exactly the configured issuer, {@code aud}, {@code exp} and
 * {@code nbf} within the clock skew, {@code iat} present. Tokens are never sent to the issuer (no introspection), so a
 * flood of bad tokens cannot become a flood of calls to it; an unknown key id fetches the key set again at most
 * every {@code jwks-min-refetch-interval}.
 * <p>
 * The values land below {@code application.properties} (ordinal {@value #ORDINAL}), so any {@code quarkus.oidc.*}
 * set there or in the environment (a TLS trust store for the issuer, a proxy) wins. Profiles ({@code %test.})
 * and expressions are resolved by the context.
 */
public class OidcConfigSourceFactory implements ConfigSourceFactory {

    static final String PREFIX = "clusterlink.api.oidc.";
    private static final int ORDINAL = 200;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        Map<String, String> oidc = new LinkedHashMap<>();
        Optional<String> issuer = value(context, "issuer");
        if (issuer.isEmpty()) {
            oidc.put("quarkus.oidc.tenant-enabled", "false");
            return List.of(new PropertiesConfigSource(oidc, "ClusterlinkOidcConfigSource", ORDINAL));
        }
        oidc.put("quarkus.oidc.tenant-enabled", "true");
        oidc.put("quarkus.oidc.application-type", "service");
        oidc.put("quarkus.oidc.auth-server-url", issuer.get());
        oidc.put("quarkus.oidc.token.issuer", issuer.get());
        value(context, "audience").ifPresent(audience -> oidc.put("quarkus.oidc.token.audience", audience));
        Duration skew = duration(context, "clock-skew", ClusterlinkConfig.Oidc.DEFAULT_CLOCK_SKEW);
        oidc.put("quarkus.oidc.token.lifespan-grace", Long.toString(skew.toSeconds()));
        oidc.put("quarkus.oidc.token.forced-jwk-refresh-interval", duration(context, "jwks-min-refetch-interval",
                ClusterlinkConfig.Oidc.DEFAULT_JWKS_MIN_REFETCH_INTERVAL).toString());
        oidc.put("quarkus.oidc.connection-timeout",
                duration(context, "timeout", ClusterlinkConfig.Oidc.DEFAULT_TIMEOUT).toString());
        oidc.put("quarkus.oidc.token.allow-jwt-introspection", "false");
        oidc.put("quarkus.oidc.token.allow-opaque-token-introspection", "false");
        value(context, "jwks-url").ifPresent(jwks -> {
            oidc.put("quarkus.oidc.discovery-enabled", "false");
            oidc.put("quarkus.oidc.jwks-path", jwks);
        });
        return List.of(new PropertiesConfigSource(oidc, "ClusterlinkOidcConfigSource", ORDINAL));
    }

    private static Duration duration(ConfigSourceContext context, String name, String defaultValue) {
        String value = value(context, name).orElse(defaultValue);
        try {
            return DurationConverter.parseDuration(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PREFIX + name + " is not a duration (such as 30s or 1m): " + value, e);
        }
    }

    private static Optional<String> value(ConfigSourceContext context, String name) {
        return Optional.ofNullable(context.getValue(PREFIX + name).getValue()).map(String::trim)
                .filter(v -> !v.isEmpty());
    }
}
