package io.clusterlink.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.clusterlink.testing.CapturedLog;
import io.clusterlink.testing.KafkaClustersResource;
import io.clusterlink.testing.TestIssuer;
import io.clusterlink.testing.WithAMismatchedDiscoveryDocument;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ValidatableResponse;

/**
 * An issuer whose discovery document names another issuer is not trusted (OpenID Connect Discovery 1.0,
 * 4.3): its keys are never used, every bearer token is refused, and the Basic users keep working.
 */
@QuarkusTest
@QuarkusTestResource(KafkaClustersResource.class)
@TestProfile(WithAMismatchedDiscoveryDocument.class)
class OidcDiscoveryMismatchTest {

    private final TestIssuer issuer = TestIssuer.get();

    @Test
    void bearerTokensAreRefusedWhenTheDiscoveryDocumentNamesAnotherIssuer() {
        // Given: tokens signed with the keys the document points to, one for the configured issuer, one for the
        // issuer the document names
        Map<String, Object> configured = issuer.claims("operator");
        configured.put("iss", issuer.mismatchedIssuer());
        Map<String, Object> named = issuer.claims("operator");
        named.put("iss", issuer.issuer().replace("/realms/test", "/realms/elsewhere"));

        for (Map<String, Object> claims : List.of(configured, named)) {
            List<String> messages;
            ValidatableResponse response;
            try (CapturedLog log = CapturedLog.start()) {
                // When
                response = given().auth().none().header("Authorization", "Bearer " + issuer.token(claims))
                        .get("/links").then();
                messages = log.lines();
            }

            // Then
            response.statusCode(401).body("error_code", equalTo(401)).body("message", equalTo("Invalid credentials"));
            assertThat(messages).anyMatch(m -> m.contains("The OIDC discovery document of " + issuer.mismatchedIssuer()
                    + " names the issuer '" + issuer.issuer().replace("/realms/test", "/realms/elsewhere") + "'"));
        }
    }

    @Test
    void basicUsersKeepWorking() {
        given().get("/links").then().statusCode(200);
    }
}
