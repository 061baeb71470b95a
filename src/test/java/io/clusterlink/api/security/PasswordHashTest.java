package io.clusterlink.api.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PasswordHashTest {

    @Test
    void aHashMatchesItsPasswordOnly() {
        // Given
        String encoded = PasswordHash.create("correct horse".toCharArray());

        // When
        PasswordHash hash = PasswordHash.parse(encoded);

        // Then
        assertThat(encoded).startsWith("pbkdf2-sha256$600000$").doesNotContain("correct horse");
        assertThat(hash.iterations()).isEqualTo(600_000);
        assertThat(hash.matches("correct horse".toCharArray())).isTrue();
        assertThat(hash.matches("correct horsE".toCharArray())).isFalse();
        assertThat(hash.matches("".toCharArray())).isFalse();
    }

    @Test
    void aHashOfAnOlderDefaultStillMatches() {
        // Given: made with 210,000 iterations, the default before 600,000 (the test user's hash)
        PasswordHash hash = PasswordHash.parse(
                "pbkdf2-sha256$210000$n8IZNwu04KwQdujOHjYRwQ$vfs8i/qbq+A2pGXpTiU4fjsvN9kCVOXcWxpMNeFAi0A");

        // When / Then
        assertThat(hash.iterations()).isEqualTo(210_000);
        assertThat(hash.matches("test-operator-password".toCharArray())).isTrue();
        assertThat(hash.matches("test-operator-passwore".toCharArray())).isFalse();
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
}
