package io.clusterlink.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class SecretCipherBeanTest {

    @Inject
    SecretCipher cipher;

    @ConfigProperty(name = "clusterlink.secrets.key")
    String configuredKey;

    @Test
    void beanEncryptsWithConfiguredKey() throws Exception {
        // Given
        String configuredKeyId = HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(Base64.getDecoder().decode(configuredKey)), 0, 4);

        // When
        String stored = cipher.encrypt("sasl-password");

        // Then
        assertThat(stored).startsWith("v1:" + configuredKeyId + ":");
        assertThat(cipher.decrypt(stored)).isEqualTo("sasl-password");
    }
}
