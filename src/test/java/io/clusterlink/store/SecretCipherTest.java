package io.clusterlink.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretCipherTest {

    private static final byte[] OLD_KEY = "old-key-0123456789abcdef01234567".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NEW_KEY = "new-key-0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final String SECRET = "org.apache.kafka.common.security.plain.PlainLoginModule password=\"s3cr3t\";";

    @TempDir
    Path tempDir;

    @Test
    void roundTripRestoresPlaintext() throws Exception {
        // Given
        SecretCipher cipher = new SecretCipher(OLD_KEY, List.of());

        // When
        String stored = cipher.encrypt(SECRET);

        // Then
        assertThat(stored).startsWith("v1:" + keyId(OLD_KEY) + ":").doesNotContain("s3cr3t");
        assertThat(cipher.isEncrypted(stored)).isTrue();
        assertThat(cipher.decrypt(stored)).isEqualTo(SECRET);
    }

    @Test
    void everyEncryptionUsesNewIv() {
        // Given
        SecretCipher cipher = new SecretCipher(OLD_KEY, List.of());

        // When
        String first = cipher.encrypt(SECRET);
        String second = cipher.encrypt(SECRET);

        // Then
        assertThat(first).isNotEqualTo(second);
        assertThat(iv(first)).isNotEqualTo(iv(second));
        assertThat(cipher.decrypt(second)).isEqualTo(SECRET);
    }

    @Test
    void modifiedCiphertextFailsWithoutRevealingPlaintext() {
        // Given
        SecretCipher cipher = new SecretCipher(OLD_KEY, List.of());
        String stored = cipher.encrypt(SECRET);
        String prefix = stored.substring(0, stored.lastIndexOf(':') + 1);
        byte[] payload = Base64.getDecoder().decode(stored.substring(prefix.length()));
        payload[payload.length / 2] ^= 1;

        // When / Then
        assertThatThrownBy(() -> cipher.decrypt(prefix + Base64.getEncoder().encodeToString(payload)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("failed authentication")
                .hasMessageNotContaining("s3cr3t");
    }

    @Test
    void unknownKeyIdIsReportedWithoutKeyMaterial() {
        // Given
        String stored = new SecretCipher(OLD_KEY, List.of()).encrypt(SECRET);
        SecretCipher other = new SecretCipher(NEW_KEY, List.of());

        // When / Then
        assertThatThrownBy(() -> other.decrypt(stored))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("key " + keyId(OLD_KEY))
                .hasMessageNotContaining("s3cr3t")
                .hasMessageNotContaining(Base64.getEncoder().encodeToString(OLD_KEY))
                .hasMessageNotContaining(new String(OLD_KEY, StandardCharsets.US_ASCII));
    }

    @Test
    void malformedValueIsRejectedWithoutEchoingIt() {
        SecretCipher cipher = new SecretCipher(OLD_KEY, List.of());

        assertThat(cipher.isEncrypted(SECRET)).isFalse();
        assertThatThrownBy(() -> cipher.decrypt(SECRET))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageNotContaining("s3cr3t");
        assertThatThrownBy(() -> cipher.decrypt("v1:" + keyId(OLD_KEY) + ":AAAA"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("malformed");
    }

    @Test
    void rotatedCipherDecryptsOldValuesAndEncryptsWithNewKey() {
        // Given
        String writtenBeforeRotation = new SecretCipher(OLD_KEY, List.of()).encrypt(SECRET);

        // When
        SecretCipher rotated = new SecretCipher(NEW_KEY, List.of(OLD_KEY));
        String writtenAfterRotation = rotated.encrypt(SECRET);

        // Then
        assertThat(rotated.decrypt(writtenBeforeRotation)).isEqualTo(SECRET);
        assertThat(writtenAfterRotation).startsWith("v1:" + keyId(NEW_KEY) + ":");
        assertThat(new SecretCipher(NEW_KEY, List.of()).decrypt(writtenAfterRotation)).isEqualTo(SECRET);
    }

    @Test
    void missingKeyFileIsCreatedOwnerOnlyAndReused() throws Exception {
        // Given
        Path keyFile = tempDir.resolve("data").resolve("secret.key");

        // When
        byte[] created = SecretCipher.readOrCreateKeyFile(keyFile);
        byte[] reread = SecretCipher.readOrCreateKeyFile(keyFile);

        // Then
        assertThat(created).hasSize(32).isEqualTo(reread);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
        assertThat(Base64.getDecoder().decode(Files.readString(keyFile).strip())).isEqualTo(created);
        assertThat(tempDir.resolve("data")).isDirectoryNotContaining("glob:**.tmp");
    }

    @Test
    void keyOfInvalidLengthIsRejected() {
        assertThatThrownBy(() -> new SecretCipher(new byte[20], List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("16, 24 or 32 bytes");
    }

    private static String iv(String stored) {
        byte[] payload = Base64.getDecoder().decode(stored.substring(stored.lastIndexOf(':') + 1));
        return HexFormat.of().formatHex(payload, 0, 12);
    }

    private static String keyId(byte[] key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key), 0, 4);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
