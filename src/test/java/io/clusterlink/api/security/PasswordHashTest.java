package io.clusterlink.api.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.clusterlink.config.ClusterlinkConfig;

class PasswordHashTest {

    @Test
    void aHashMatchesItsPasswordOnly() {
        // Given
        String encoded = PasswordHash.create("correct horse".toCharArray());

        // When
        PasswordHash hash = PasswordHash.parse(encoded);

        // Then
        assertThat(encoded).startsWith("pbkdf2-sha256$210000$").doesNotContain("correct horse");
        assertThat(hash.matches("correct horse".toCharArray())).isTrue();
        assertThat(hash.matches("correct horsE".toCharArray())).isFalse();
        assertThat(hash.matches("".toCharArray())).isFalse();
    }

    @Test
    void theSamePasswordHashesDifferentlyEachTime() {
        String first = PasswordHash.create("secret".toCharArray(), PasswordHash.MIN_ITERATIONS);
        String second = PasswordHash.create("secret".toCharArray(), PasswordHash.MIN_ITERATIONS);

        assertThat(first).isNotEqualTo(second);
        assertThat(PasswordHash.parse(second).matches("secret".toCharArray())).isTrue();
    }

    @Test
    void malformedOrWeakHashesAreRefused() {
        assertThatThrownBy(() -> PasswordHash.parse("secret")).hasMessageContaining("not a pbkdf2-sha256$");
        assertThatThrownBy(() -> PasswordHash.parse("bcrypt$10$abc$def")).hasMessageContaining("not a pbkdf2-sha256$");
        assertThatThrownBy(() -> PasswordHash.parse("pbkdf2-sha256$many$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA"))
                .hasMessage("the iteration count is not a number");
        assertThatThrownBy(() -> PasswordHash.parse("pbkdf2-sha256$1000$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA"))
                .hasMessage("fewer than 10000 iterations");
        assertThatThrownBy(() -> PasswordHash.parse("pbkdf2-sha256$210000$not base64!$AAAAAAAAAAAAAAAAAAAAAA"))
                .hasMessage("the salt or hash is not valid base64");
        assertThatThrownBy(() -> PasswordHash.parse("pbkdf2-sha256$210000$AAAA$AAAAAAAAAAAAAAAAAAAAAA"))
                .hasMessage("the salt or hash is too short");
        assertThatThrownBy(() -> PasswordHash.create("".toCharArray())).hasMessage("The password is empty");
    }

    @Test
    void configuredUsersAuthenticateWithTheirPasswordAndGetTheirRoles() {
        // Given
        ConfiguredUsers users = ConfiguredUsers.from(Map.of(
                "alice", user(PasswordHash.create("alice-pw".toCharArray(), PasswordHash.MIN_ITERATIONS), "operator"),
                "bob", user(PasswordHash.create("bob-pw".toCharArray(), PasswordHash.MIN_ITERATIONS), "viewer")));

        // When / Then: twice each, the second time from the verified-password cache
        for (int i = 0; i < 2; i++) {
            assertThat(users.authenticate("alice", "alice-pw".toCharArray()))
                    .isEqualTo(new ConfiguredUsers.User("alice", java.util.Set.of("operator")));
            assertThat(users.authenticate("bob", "bob-pw".toCharArray()).roles()).containsExactly("viewer");
            assertThat(users.authenticate("alice", "bob-pw".toCharArray())).isNull();
            assertThat(users.authenticate("carol", "alice-pw".toCharArray())).isNull();
        }
        assertThat(users.authenticate("alice", "alice-pw ".toCharArray())).isNull();
    }

    @Test
    void aUserWithABadHashOrAnUnknownRoleFailsTheStartWithoutShowingTheValue() {
        assertThatThrownBy(() -> ConfiguredUsers.from(Map.of("alice", user("plain-password", "operator"))))
                .hasMessageStartingWith("clusterlink.api.users.alice.password-hash is not a pbkdf2-sha256$")
                .hasMessageNotContaining("plain-password");
        String hash = PasswordHash.create("pw".toCharArray(), PasswordHash.MIN_ITERATIONS);
        assertThatThrownBy(() -> ConfiguredUsers.from(Map.of("alice", user(hash, "admin"))))
                .hasMessage("clusterlink.api.users.alice.roles has 'admin': the roles are viewer and operator");
    }

    private static ClusterlinkConfig.User user(String hash, String... roles) {
        return new ClusterlinkConfig.User() {
            @Override
            public String passwordHash() {
                return hash;
            }

            @Override
            public List<String> roles() {
                return List.of(roles);
            }
        };
    }
}
