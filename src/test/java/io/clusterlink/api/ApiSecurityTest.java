package io.clusterlink.api;

import static io.clusterlink.testing.KafkaClusters.uniqueName;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.clusterlink.testing.CapturedLog;
import io.clusterlink.testing.KafkaClustersResource;
import io.clusterlink.testing.OidcIssuerResource;
import io.clusterlink.testing.TestIssuer;
import io.clusterlink.testing.TestUsers;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;

/**
 * Access control of the API: Basic users and bearer tokens of an OIDC issuer, roles viewer (GET)
 * and operator (everything), 401 and 403 as v3 error bodies.
 */
@QuarkusTest
@QuarkusTestResource(KafkaClustersResource.class)
@QuarkusTestResource(OidcIssuerResource.class)
class ApiSecurityTest {

    private final TestIssuer issuer = TestIssuer.get();

    @Test
    void aRequestWithoutCredentialsGets401WithAV3BodyAndBothChallenges() {
        // When
        ValidatableResponse response = given().auth().none().get("/kafka/v3/clusters").then();

        // Then
        v3Error(response, 401, "Authentication required: send HTTP Basic credentials or a bearer token");
        List<String> challenges = response.extract().headers().getValues("WWW-Authenticate");
        assertThat(challenges).containsExactlyInAnyOrder("Basic realm=\"clusterlink\"", "Bearer realm=\"clusterlink\"");
        v3Error(given().auth().none().contentType(ContentType.JSON).body("{}").post("/links").then(), 401,
                "Authentication required");
        v3Error(given().auth().none().post("/mirrors/some-topic:promote").then(), 401, "Authentication required");
        v3Error(given().auth().none().get("/no/such/path").then(), 401, "Authentication required");
    }

    @Test
    void healthAndTheApiDescriptionStayOpen() {
        given().auth().none().get("/q/health/ready").then().statusCode(200);
        given().auth().none().get("/q/openapi").then().statusCode(200);
    }

    @Test
    void aWrongPasswordOrUnknownUserGets401() {
        ValidatableResponse wrong = given().auth().preemptive().basic(TestUsers.OPERATOR, "not-the-password")
                .get("/kafka/v3/clusters").then();
        v3Error(wrong, 401, "Invalid credentials");
        assertThat(wrong.extract().headers().getValues("WWW-Authenticate")).contains("Basic realm=\"clusterlink\"");
        v3Error(given().auth().preemptive().basic("nobody", TestUsers.OPERATOR_PASSWORD).get("/kafka/v3/clusters")
                .then(), 401, "Invalid credentials");
        v3Error(given().auth().none().header("Authorization", "Basic not-base64!").get("/kafka/v3/clusters").then(),
                401,
                "Invalid credentials");
    }

    @Test
    void aViewerMayReadButNotChange() {
        String cluster = given().get("/kafka/v3/clusters").then().statusCode(200).extract().path("data[0].cluster_id");

        // Reads
        viewer().get("/kafka/v3/clusters").then().statusCode(200).body("kind", equalTo("KafkaClusterList"));
        viewer().get("/kafka/v3/clusters/{c}/links", cluster).then().statusCode(200);
        viewer().get("/links").then().statusCode(200);
        viewer().get("/kafka/v3/clusters/{c}/links/-/mirrors", cluster).then().statusCode(200);

        // Changes
        String forbidden = "Forbidden: this needs the role operator";
        v3Error(viewer().contentType(ContentType.JSON).queryParam("link_name", "viewer-link")
                .body(Map.of("configs", List.of(Map.of("name", "bootstrap.servers", "value", "127.0.0.1:1"))))
                .post("/links").then(), 403, forbidden);
        v3Error(viewer().contentType(ContentType.JSON).body(Map.of("value", "1000"))
                .put("/kafka/v3/clusters/{c}/links/some-link/configs/consumer.offset.sync.ms", cluster).then(), 403,
                forbidden);
        v3Error(viewer().delete("/links/some-link").then(), 403, forbidden);
        v3Error(viewer().post("/mirrors/some-topic:promote").then(), 403, forbidden);
    }

    @Test
    void anOperatorMayDoEverything() {
        String link = uniqueName("operator");

        given().contentType(ContentType.JSON).queryParam("link_name", link).queryParam("validate_link", "false")
                .body(Map.of("configs", List.of(Map.of("name", "bootstrap.servers", "value", "127.0.0.1:1"))))
                .post("/links").then().statusCode(204);
        given().get("/links/{link}", link).then().statusCode(200).body("link_name", equalTo(link));
        given().delete("/links/{link}", link).then().statusCode(200);
    }

    @Test
    void aBearerTokenWithTheOperatorRoleMayChangeLinks() {
        String rsa = issuer.token(issuer.claims("operator"));
        String ec = issuer.ecToken(issuer.claims("operator"));
        String link = uniqueName("bearer");

        bearer(rsa).get("/kafka/v3/clusters").then().statusCode(200);
        bearer(ec).get("/links").then().statusCode(200);
        bearer(rsa).contentType(ContentType.JSON).queryParam("link_name", link).queryParam("validate_link", "false")
                .body(Map.of("configs", List.of(Map.of("name", "bootstrap.servers", "value", "127.0.0.1:1"))))
                .post("/links").then().statusCode(204);
        bearer(ec).delete("/links/{link}", link).then().statusCode(200);
    }

    @Test
    void aBearerTokenWithOnlyTheViewerRoleMayReadButNotChange() {
        String token = issuer.token(issuer.claims("viewer"));

        bearer(token).get("/links").then().statusCode(200);
        v3Error(bearer(token).contentType(ContentType.JSON).body("{}").post("/links").then(), 403,
                "Forbidden: this needs the role operator");
        v3Error(bearer(issuer.token(issuer.claims("someone-else"))).get("/links").then(), 403,
                "Forbidden: this needs the role viewer or operator");
    }

    @Test
    void invalidBearerTokensGet401EachForItsOwnReason() {
        // Given: tokens that are wrong in one way each, and why Quarkus OIDC must refuse them
        long now = Instant.now().getEpochSecond();
        KeyPair stranger = TestIssuer.newRsaKeyPair();
        String valid = issuer.token(issuer.claims("operator"));
        String[] parts = valid.split("\\.");
        Map<String, String> refusals = new LinkedHashMap<>();
        refusals.put(issuer.token(with("exp", now - 3600)), "expired");
        refusals.put(issuer.token(with("nbf", now + 120)), "not valid yet (nbf)");
        refusals.put(issuer.token(with("iss", "https://issuer.example.com/realms/test")), "wrong issuer (iss)");
        refusals.put(issuer.token(with("aud", List.of("some-other-service"))), "wrong audience (aud)");
        refusals.put(issuer.token(without("aud")), "no audience (aud)");
        refusals.put(TestIssuer.sign("RS256", TestIssuer.RSA_KID, stranger.getPrivate(), issuer.claims("operator")),
                "bad signature");
        refusals.put(parts[0] + "." + b64(json(with("sub", "mallory"))) + "." + parts[2], "bad signature");
        refusals.put(TestIssuer.sign("RS256", "unknown-kid", stranger.getPrivate(), issuer.claims("operator")),
                "unknown key");
        refusals.put(b64("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "." + parts[1] + ".",
                "not a signed JWT");
        refusals.put(b64("{\"alg\":\"none\",\"kid\":\"rsa-1\"}".getBytes(StandardCharsets.UTF_8)) + "." + parts[1]
                + "." + parts[2], "algorithm not accepted");
        refusals.put(hs256WithThePublicKeyAsSecret(parts[1]), "algorithm not accepted");
        refusals.put(issuer.tokenWithHeader(Map.of("crit", List.of("x-must-understand"), "x-must-understand", true),
                issuer.claims("operator")), "unknown critical header (crit)");
        refusals.put("not-a-jwt", "not a signed JWT");

        refusals.forEach((token, reason) -> {
            List<String> messages;
            ValidatableResponse response;
            try (CapturedLog log = CapturedLog.start()) {
                // When
                response = bearer(token).get("/links").then();
                messages = log.lines();
            }

            // Then
            v3Error(response, 401, "Invalid credentials");
            assertThat(response.extract().headers().getValues("WWW-Authenticate"))
                    .contains("Bearer realm=\"clusterlink\"");
            assertThat(messages).as("refused as '%s'", reason)
                    .anyMatch(m -> m.startsWith("Bearer token refused") && m.contains(reason));
        });
        bearer(valid).get("/links").then().statusCode(200);
    }

    @Test
    void aTokenSignedWithANewKeyOfTheIssuerIsAcceptedOnceTheKeysAreFetchedAgain() {
        // Given: the issuer rotates to a key the service has not fetched yet
        KeyPair rotated = TestIssuer.addRsaKey("rsa-rotated");
        String token = TestIssuer.sign("RS256", "rsa-rotated", rotated.getPrivate(), issuer.claims("operator"));

        // When / Then: its key id makes the service fetch the key set again (at most every
        // jwks-min-refetch-interval, 10 s, which a token with an unknown key may have used up just before)
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> bearer(token).get("/links").then().statusCode(200));
    }

    @Test
    void passwordsAndTokensNeverReachTheLog() {
        Map<String, Object> expired = issuer.claims("operator");
        expired.put("exp", 1);
        String token = issuer.token(expired);
        List<String> messages;
        try (CapturedLog log = CapturedLog.start()) {
            // When
            given().auth().preemptive().basic(TestUsers.OPERATOR, "a-wrong-secret-password").get("/links").then()
                    .statusCode(401);
            bearer(token).get("/links").then().statusCode(401);
            given().get("/links").then().statusCode(200);
            messages = log.lines();
        }

        // Then
        assertThat(messages).anyMatch(m -> m.contains("Bearer token refused") && m.contains("expired"));
        assertThat(messages).anyMatch(m -> m.contains("Basic authentication failed") && m.contains(TestUsers.OPERATOR));
        assertThat(messages).noneMatch(m -> m.contains("a-wrong-secret-password") || m.contains(token)
                || m.contains(TestUsers.OPERATOR_PASSWORD) || m.contains(token.substring(token.lastIndexOf('.') + 1)));
    }

    private static RequestSpecification viewer() {
        return given().auth().preemptive().basic(TestUsers.VIEWER, TestUsers.VIEWER_PASSWORD);
    }

    private static RequestSpecification bearer(String token) {
        return given().auth().none().header("Authorization", "Bearer " + token);
    }

    private Map<String, Object> with(String claim, Object value) {
        Map<String, Object> claims = issuer.claims("operator");
        claims.put(claim, value);
        return claims;
    }

    private Map<String, Object> without(String claim) {
        Map<String, Object> claims = issuer.claims("operator");
        claims.remove(claim);
        return claims;
    }

    /** The classic algorithm confusion: HMAC keyed with the issuer's public key, which anyone can fetch. */
    private static String hs256WithThePublicKeyAsSecret(String payload) {
        String jwks;
        try (var in = URI.create(TestIssuer.get().issuer() + "/jwks").toURL().openStream()) {
            jwks = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String signed = b64("{\"alg\":\"HS256\",\"kid\":\"rsa-1\"}".getBytes(StandardCharsets.UTF_8)) + "." + payload;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(jwks.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return signed + "." + b64(mac.doFinal(signed.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] json(Map<String, Object> claims) {
        try {
            return new ObjectMapper().writeValueAsBytes(claims);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static void v3Error(ValidatableResponse response, int status, String messageStart) {
        response.statusCode(status).contentType(ContentType.JSON).body("error_code", equalTo(status))
                .body("message", startsWith(messageStart));
    }
}
