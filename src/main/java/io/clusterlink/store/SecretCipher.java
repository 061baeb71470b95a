package io.clusterlink.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.clusterlink.config.ClusterlinkConfig;

/**
 * Encrypts sensitive link config values at rest with AES-GCM (random 12-byte IV per value, 128-bit tag).
 * <p>
 * Stored form: {@code v1:<key id>:<base64(iv || ciphertext+tag)>}, the key id being the first 8 hex digits of
 * SHA-256(key); the {@code v1:<key id>} header is authenticated too. Values are encrypted with the current key
 * ({@code clusterlink.secrets.key}, else the key file, created with a random 256-bit key on first start) and
 * decrypted with the key their id names, the current one or one of {@code clusterlink.secrets.previous-keys}.
 * Errors never contain a plaintext or a key.
 */
@ApplicationScoped
public class SecretCipher {

    private static final Logger LOG = Logger.getLogger(SecretCipher.class);
    private static final String VERSION = "v1";
    private static final Pattern STORED = Pattern.compile("v1:([0-9a-f]{8}):([A-Za-z0-9+/]+={0,2})");
    private static final String TRANSFORMATION = "AES/GCM/NoPadding";
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final int GENERATED_KEY_BYTES = 32;
    private static final Set<PosixFilePermission> KEY_FILE_PERMISSIONS = PosixFilePermissions.fromString("rw-------");

    private final SecureRandom random = new SecureRandom();
    private final String currentKeyId;
    private final Map<String, SecretKeySpec> keysById;

    @Inject
    SecretCipher(ClusterlinkConfig config) {
        this(currentKey(config.secrets()), config.secrets().previousKeys().orElse(List.of()).stream()
                .map(key -> decodeKey(key, "clusterlink.secrets.previous-keys")).toList());
        LOG.infof("Secrets are encrypted with key %s", currentKeyId);
    }

    /**
     * @param key AES key (16, 24 or 32 bytes) that encrypts, and decrypts values written with it
     * @param previousKeys keys that only decrypt values written with them
     */
    public SecretCipher(byte[] key, List<byte[]> previousKeys) {
        Map<String, SecretKeySpec> keys = new LinkedHashMap<>();
        for (byte[] previous : previousKeys) {
            keys.put(keyId(previous), aesKey(previous, "a previous key"));
        }
        currentKeyId = keyId(key);
        keys.put(currentKeyId, aesKey(key, "the key"));
        keysById = Map.copyOf(keys);
    }

    /** {@code v1:<key id>:<base64(iv || ciphertext)>} with the current key and a fresh random IV. */
    public String encrypt(String plaintext) {
        Objects.requireNonNull(plaintext, "plaintext");
        byte[] iv = new byte[IV_BYTES];
        random.nextBytes(iv);
        String header = VERSION + ":" + currentKeyId;
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.ENCRYPT_MODE, keysById.get(currentKeyId), new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(header.getBytes(StandardCharsets.US_ASCII));
            byte[] ciphertext = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            byte[] payload = new byte[IV_BYTES + ciphertext.length];
            System.arraycopy(iv, 0, payload, 0, IV_BYTES);
            System.arraycopy(ciphertext, 0, payload, IV_BYTES, ciphertext.length);
            return header + ":" + Base64.getEncoder().encodeToString(payload);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Could not encrypt a secret: " + e.getClass().getSimpleName());
        }
    }

    /**
     * The plaintext of a value from {@link #encrypt}.
     *
     * @throws IllegalStateException if the value is malformed, names an unknown key or fails authentication
     */
    public String decrypt(String stored) {
        Matcher matcher = stored == null ? null : STORED.matcher(stored);
        if (matcher == null || !matcher.matches()) {
            throw new IllegalStateException("Stored secret is not in the " + VERSION + " encrypted format");
        }
        String keyId = matcher.group(1);
        SecretKeySpec key = keysById.get(keyId);
        if (key == null) {
            throw new IllegalStateException("Stored secret was encrypted with key " + keyId
                    + ", which is neither clusterlink.secrets.key nor one of clusterlink.secrets.previous-keys");
        }
        byte[] payload;
        try {
            payload = Base64.getDecoder().decode(matcher.group(2));
        } catch (IllegalArgumentException e) {
            payload = new byte[0];
        }
        if (payload.length < IV_BYTES + TAG_BITS / 8) {
            throw new IllegalStateException("Stored secret encrypted with key " + keyId + " is malformed");
        }
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, payload, 0, IV_BYTES));
            cipher.updateAAD((VERSION + ":" + keyId).getBytes(StandardCharsets.US_ASCII));
            byte[] plaintext = cipher.doFinal(payload, IV_BYTES, payload.length - IV_BYTES);
            return new String(plaintext, StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new IllegalStateException("Stored secret encrypted with key " + keyId
                    + " failed authentication: it was modified, or the key with that id changed");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Could not decrypt a secret: " + e.getClass().getSimpleName());
        }
    }

    /** Whether {@code value} has the stored form of {@link #encrypt} (it may still name an unknown key). */
    public boolean isEncrypted(String value) {
        return value != null && STORED.matcher(value).matches();
    }

    /** The key in {@code keyFile} (base64); a random 256-bit key is written there first, mode 600, if missing. */
    static byte[] readOrCreateKeyFile(Path keyFile) throws IOException {
        if (!Files.exists(keyFile)) {
            Path parent = keyFile.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            byte[] key = new byte[GENERATED_KEY_BYTES];
            new SecureRandom().nextBytes(key);
            Path temporary = Files.createTempFile(parent, ".secret-key-", ".tmp",
                    PosixFilePermissions.asFileAttribute(KEY_FILE_PERMISSIONS));
            try {
                Files.writeString(temporary, Base64.getEncoder().encodeToString(key) + "\n");
                Files.move(temporary, keyFile);
                LOG.infof("Created secret key file %s", keyFile);
            } catch (FileAlreadyExistsException raced) {
                // another instance created it first: use that key
            } finally {
                Files.deleteIfExists(temporary);
            }
        }
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(keyFile);
        if (!KEY_FILE_PERMISSIONS.containsAll(permissions)) {
            LOG.warnf("Secret key file %s is readable by others (%s); restrict it to its owner (chmod 600)", keyFile,
                    PosixFilePermissions.toString(permissions));
        }
        return decodeKey(Files.readString(keyFile), "key file " + keyFile);
    }

    private static byte[] currentKey(ClusterlinkConfig.Secrets secrets) {
        if (secrets.key().isPresent()) {
            return decodeKey(secrets.key().get(), "clusterlink.secrets.key");
        }
        try {
            return readOrCreateKeyFile(Path.of(secrets.keyFile()));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read or create the secret key file " + secrets.keyFile(), e);
        }
    }

    private static byte[] decodeKey(String base64, String source) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("The key in " + source + " is not valid base64");
        }
        aesKey(key, "the key in " + source);
        return key;
    }

    private static SecretKeySpec aesKey(byte[] key, String description) {
        if (key.length != 16 && key.length != 24 && key.length != 32) {
            throw new IllegalArgumentException(
                    "An AES key must be 16, 24 or 32 bytes; " + description + " has " + key.length);
        }
        return new SecretKeySpec(key, "AES");
    }

    private static String keyId(byte[] key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key);
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
