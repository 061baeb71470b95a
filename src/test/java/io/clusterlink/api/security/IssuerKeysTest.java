package io.clusterlink.api.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.clusterlink.testing.TestIssuer;

class IssuerKeysTest {

    private final KeyPair first = TestIssuer.newRsaKeyPair();
    private final KeyPair second = TestIssuer.newRsaKeyPair();
    private final AtomicReference<String> jwks = new AtomicReference<>(TestIssuer.jwks(Map.of("k1", first.getPublic())));
    private final AtomicInteger jwksFetches = new AtomicInteger();
    private final AtomicInteger status = new AtomicInteger(200);
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final HttpServer server;
    private final String issuer;

    IssuerKeysTest() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        issuer = "http://127.0.0.1:" + server.getAddress().getPort() + "/realms/r";
        server.createContext("/realms/r/.well-known/openid-configuration",
                x -> respond(x, 200, "{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"" + issuer + "/certs\"}"));
        server.createContext("/realms/r/certs", x -> {
            jwksFetches.incrementAndGet();
            respond(x, status.get(), jwks.get());
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void discoversTheKeySetAndCachesIt() throws Exception {
        IssuerKeys keys = keys(null);

        assertThat(keys.key("k1", "RSA").publicKey()).isEqualTo(first.getPublic());
        assertThat(keys.key("k1", "RSA").publicKey()).isEqualTo(first.getPublic());
        assertThat(keys.key(null, "RSA").publicKey()).isEqualTo(first.getPublic());
        assertThat(jwksFetches).hasValue(1);
    }

    @Test
    void anUnknownKeyIdFetchesTheKeySetAgainButNotMoreOftenThanTheMinimumInterval() throws Exception {
        IssuerKeys keys = keys(issuer + "/certs");
        keys.key("k1", "RSA");

        // When the issuer rotates to a new key
        jwks.set(TestIssuer.jwks(Map.of("k1", first.getPublic(), "k2", second.getPublic())));
        clock.advance(Duration.ofSeconds(11));

        // Then the new key is fetched at its first use
        assertThat(keys.key("k2", "RSA").publicKey()).isEqualTo(second.getPublic());
        assertThat(jwksFetches).hasValue(2);

        // And made-up key ids do not cause a fetch each
        assertThatThrownBy(() -> keys.key("made-up", "RSA")).hasMessage("unknown key id 'made-up'");
        assertThatThrownBy(() -> keys.key("made-up-too", "RSA")).hasMessage("unknown key id 'made-up-too'");
        assertThat(jwksFetches).hasValue(2);
        clock.advance(Duration.ofSeconds(11));
        assertThatThrownBy(() -> keys.key("made-up", "RSA")).hasMessage("unknown key id 'made-up'");
        assertThat(jwksFetches).hasValue(3);
    }

    @Test
    void keysAreFetchedAgainAfterTheRefreshIntervalAndKeptWhenTheIssuerIsDown() throws Exception {
        IssuerKeys keys = keys(null);
        keys.key("k1", "RSA");

        // When the issuer fails after the refresh interval
        status.set(503);
        clock.advance(Duration.ofMinutes(11));

        // Then the known key still verifies
        assertThat(keys.key("k1", "RSA").publicKey()).isEqualTo(first.getPublic());
        assertThat(jwksFetches).hasValue(2);

        // And once the issuer answers with a key set without it, it is gone
        status.set(200);
        jwks.set(TestIssuer.jwks(Map.of("k2", second.getPublic())));
        clock.advance(Duration.ofMinutes(11));
        assertThatThrownBy(() -> keys.key("k1", "RSA")).hasMessage("unknown key id 'k1'");
    }

    @Test
    void anUnreachableIssuerRefusesTokensWithinTheTimeout() {
        IssuerKeys keys = new IssuerKeys("http://127.0.0.1:1/realms/none", null, Duration.ofSeconds(2),
                Duration.ofMinutes(10), Duration.ofSeconds(10), clock);

        assertThatThrownBy(() -> keys.key("k1", "RSA")).hasMessage("unknown key id 'k1'");
    }

    private IssuerKeys keys(String jwksUrl) {
        return new IssuerKeys(issuer, jwksUrl, Duration.ofSeconds(2), Duration.ofMinutes(10), Duration.ofSeconds(10),
                clock);
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
