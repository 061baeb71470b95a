package io.clusterlink.api.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class TokenRolesTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void rolesComeFromTheConfiguredClaim() throws Exception {
        JsonNode groups = json.readTree("{\"groups\":[\"/ops\",\"readers\",\"other\"]}");
        JsonNode keycloak = json.readTree("{\"realm_access\":{\"roles\":[\"clusterlink-operator\"]}}");
        JsonNode scope = json.readTree("{\"scope\":\"openid clusterlink.read\"}");
        JsonNode dotted = json.readTree("{\"https://example.com/roles\":[\"viewer\"]}");

        assertThat(TokenRoles.roles(groups, "groups", List.of("/ops"), List.of("readers")))
                .containsExactlyInAnyOrder("operator", "viewer");
        assertThat(TokenRoles.roles(keycloak, "realm_access.roles", List.of("clusterlink-operator"), List.of("viewer")))
                .containsExactly("operator");
        assertThat(TokenRoles.roles(scope, "scope", List.of("operator"), List.of("clusterlink.read")))
                .containsExactly("viewer");
        assertThat(TokenRoles.roles(dotted, "https://example.com/roles", List.of("operator"), List.of("viewer")))
                .containsExactly("viewer");
        assertThat(TokenRoles.roles(groups, "realm_access.roles", List.of("/ops"), List.of("readers"))).isEmpty();
    }

    @Test
    void aValueThatIsNotConfiguredGrantsNothingEvenIfItIsNamedLikeARole() throws Exception {
        JsonNode claims = json.readTree("{\"groups\":[\"operator\",\"viewer\"]}");

        assertThat(TokenRoles.roles(claims, "groups", List.of("clusterlink-operator"), List.of("clusterlink-viewer")))
                .isEmpty();
    }
}
