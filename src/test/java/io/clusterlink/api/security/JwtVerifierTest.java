package io.clusterlink.api.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.clusterlink.testing.TestIssuer;

class JwtVerifierTest {

    private static final String ISSUER = "https://issuer.example.com/realms/test";
    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
    private static final KeyPair RSA = TestIssuer.newRsaKeyPair();
    private static final KeyPair EC = TestIssuer.newEcKeyPair();
    private static final List<JsonWebKeys.Key> KEYS = JsonWebKeys.parse(
            TestIssuer.jwks(Map.of("rsa", RSA.getPublic(), "ec", EC.getPublic())));

    private final JwtVerifier verifier = new JwtVerifier(ISSUER, List.of("clusterlink"), Duration.ofSeconds(30),
            (kid, kty) -> KEYS.stream().filter(k -> k.kty().equals(kty) && (kid == null || kid.equals(k.kid())))
                    .findFirst().orElseThrow(() -> new JwtVerifier.InvalidTokenException("unknown key id '" + kid + "'")),
            Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void acceptsRs256AndEs256TokensOfTheIssuer() throws Exception {
        JsonNode rsa = verifier.verify(TestIssuer.sign("RS256", "rsa", RSA.getPrivate(), claims()));
        JsonNode ec = verifier.verify(TestIssuer.sign("ES256", "ec", EC.getPrivate(), claims()));
        JsonNode noKid = verifier.verify(TestIssuer.sign("RS256", null, RSA.getPrivate(), claims()));

        assertThat(rsa.path("sub").asText()).isEqualTo("alice");
        assertThat(ec.path("sub").asText()).isEqualTo("alice");
        assertThat(noKid.path("sub").asText()).isEqualTo("alice");
    }

    @Test
    void refusesTokensThatAreExpiredNotYetValidOrForSomeoneElse() {
        refused(claims(Map.of("exp", NOW.getEpochSecond() - 31)), "expired");
        refused(claims(Map.of("nbf", NOW.getEpochSecond() + 31)), "not valid yet (nbf)");
        refused(claims(Map.of("iss", "https://other.example.com")), "issuer is not " + ISSUER);
        refused(claims(Map.of("aud", List.of("other", "another"))), "audience is none of [clusterlink]");
        Map<String, Object> noExp = claims();
        noExp.remove("exp");
        refused(noExp, "no expiry (exp)");
    }

    @Test
    void toleratesTheClockSkewAndAnAudienceList() throws Exception {
        verifier.verify(sign(claims(Map.of("exp", NOW.getEpochSecond() - 29, "nbf", NOW.getEpochSecond() + 29))));
        verifier.verify(sign(claims(Map.of("aud", List.of("other", "clusterlink")))));
        JwtVerifier anyAudience = new JwtVerifier(ISSUER, List.of(), Duration.ZERO,
                (kid, kty) -> KEYS.get(0).kty().equals(kty) ? KEYS.get(0) : KEYS.get(1), Clock.fixed(NOW, ZoneOffset.UTC));
        anyAudience.verify(sign(claims(Map.of("aud", "anything"))));
    }

    @Test
    void refusesBadSignaturesUnknownKeysAndUnsafeAlgorithms() throws Exception {
        KeyPair stranger = TestIssuer.newRsaKeyPair();
        assertRefused(TestIssuer.sign("RS256", "rsa", stranger.getPrivate(), claims()), "bad signature");
        assertRefused(TestIssuer.sign("RS256", "rotated-away", RSA.getPrivate(), claims()), "unknown key id 'rotated-away'");
        String valid = sign(claims());
        String[] parts = valid.split("\\.");
        String tampered = parts[0] + "." + b64(new ObjectMapper().writeValueAsBytes(claims(Map.of("sub", "mallory"))))
                + "." + parts[2];
        assertRefused(tampered, "bad signature");
        assertRefused(b64("{\"alg\":\"none\"}".getBytes()) + "." + parts[1] + ".", "algorithm 'none' is not accepted");
        assertRefused(b64("{\"alg\":\"HS256\",\"kid\":\"rsa\"}".getBytes()) + "." + parts[1] + "." + parts[2],
                "algorithm 'HS256' is not accepted");
        // an RSA key id with an EC algorithm: the key of the right type is looked up, and does not verify
        assertRefused(TestIssuer.sign("ES256", "rsa", EC.getPrivate(), claims()), "unknown key id 'rsa'");
        assertRefused("a.b", "not a signed JWT");
        assertRefused("!!!.e30.", "header is not base64url");
    }

    @Test
    void rolesComeFromTheConfiguredClaim() throws Exception {
        ObjectMapper json = new ObjectMapper();
        JsonNode groups = json.readTree("{\"groups\":[\"/ops\",\"readers\",\"other\"]}");
        JsonNode keycloak = json.readTree("{\"realm_access\":{\"roles\":[\"clusterlink-operator\"]}}");
        JsonNode scope = json.readTree("{\"scope\":\"openid clusterlink.read\"}");
        JsonNode dotted = json.readTree("{\"https://example.com/roles\":[\"viewer\"]}");

        assertThat(JwtVerifier.roles(groups, "groups", List.of("/ops"), List.of("readers")))
                .containsExactlyInAnyOrder("operator", "viewer");
        assertThat(JwtVerifier.roles(keycloak, "realm_access.roles", List.of("clusterlink-operator"), List.of("viewer")))
                .containsExactly("operator");
        assertThat(JwtVerifier.roles(scope, "scope", List.of("operator"), List.of("clusterlink.read")))
                .containsExactly("viewer");
        assertThat(JwtVerifier.roles(dotted, "https://example.com/roles", List.of("operator"), List.of("viewer")))
                .containsExactly("viewer");
        assertThat(JwtVerifier.roles(groups, "realm_access.roles", List.of("/ops"), List.of("readers"))).isEmpty();
    }

    private void refused(Map<String, Object> claims, String reason) {
        assertRefused(sign(claims), reason);
    }

    private void assertRefused(String token, String reason) {
        assertThatThrownBy(() -> verifier.verify(token)).isInstanceOf(JwtVerifier.InvalidTokenException.class)
                .hasMessage(reason);
    }

    private static String sign(Map<String, Object> claims) {
        return TestIssuer.sign("RS256", "rsa", RSA.getPrivate(), claims);
    }

    private static String b64(byte[] bytes) {
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static Map<String, Object> claims() {
        return claims(Map.of());
    }

    private static Map<String, Object> claims(Map<String, Object> changes) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", ISSUER);
        claims.put("aud", "clusterlink");
        claims.put("sub", "alice");
        claims.put("exp", NOW.getEpochSecond() + 300);
        claims.putAll(changes);
        return claims;
    }
}
