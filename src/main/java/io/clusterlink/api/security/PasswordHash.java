package io.clusterlink.api.security;

import java.io.ByteArrayOutputStream;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Salted PBKDF2 password hashes for the API's Basic users, in the form
 * {@code pbkdf2-sha256$<iterations>$<base64 salt>$<base64 hash>}. Only the hash is configured; a
 * password is compared in constant time and never kept.
 * <p>
 * Uses the JDK only, so the hash of a new password can be made from the packaged jar:
 * {@code java -cp 'target/quarkus-app/app/*' io.clusterlink.api.security.PasswordHash} asks for the
 * password (or reads it from standard input) and prints the hash.
 */
public final class PasswordHash {

    public static final String SCHEME = "pbkdf2-sha256";
    /**
     * For new hashes: OWASP's figure for PBKDF2-HMAC-SHA256 (2023). Hashes carry their own count, so older
     * ones (210,000 before) keep verifying.
     */
    public static final int DEFAULT_ITERATIONS = 600_000;
    /** Fewer iterations than this make a hash too cheap to guess against: such a hash is refused. */
    static final int MIN_ITERATIONS = 10_000;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BITS = 256;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final int iterations;
    private final byte[] salt;
    private final byte[] hash;

    private PasswordHash(int iterations, byte[] salt, byte[] hash) {
        this.iterations = iterations;
        this.salt = salt;
        this.hash = hash;
    }

    /** A new hash of {@code password} with a random salt. */
    public static String create(char[] password) {
        return create(password, DEFAULT_ITERATIONS);
    }

    static String create(char[] password, int iterations) {
        if (password.length == 0) {
            throw new IllegalArgumentException("The password is empty");
        }
        if (iterations < MIN_ITERATIONS) {
            throw new IllegalArgumentException("At least " + MIN_ITERATIONS + " iterations");
        }
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        byte[] hash = pbkdf2(password, salt, iterations, HASH_BITS);
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return SCHEME + "$" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
    }

    /**
     * Parses a configured hash.
     *
     * @throws IllegalArgumentException naming what is wrong (never echoing the value)
     */
    public static PasswordHash parse(String encoded) {
        String[] parts = encoded.trim().split("\\$");
        if (parts.length != 4 || !SCHEME.equals(parts[0])) {
            throw new IllegalArgumentException("not a " + SCHEME + "$<iterations>$<salt>$<hash> value");
        }
        int iterations;
        try {
            iterations = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the iteration count is not a number");
        }
        if (iterations < MIN_ITERATIONS) {
            throw new IllegalArgumentException("fewer than " + MIN_ITERATIONS + " iterations");
        }
        byte[] salt;
        byte[] hash;
        try {
            salt = Base64.getDecoder().decode(parts[2]);
            hash = Base64.getDecoder().decode(parts[3]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the salt or hash is not valid base64");
        }
        if (salt.length < 8 || hash.length < 16) {
            throw new IllegalArgumentException("the salt or hash is too short");
        }
        return new PasswordHash(iterations, salt, hash);
    }

    public int iterations() {
        return iterations;
    }

    /** Whether {@code password} has this hash; the comparison takes the same time wherever the bytes differ. */
    public boolean matches(char[] password) {
        byte[] candidate = pbkdf2(password, salt, iterations, hash.length * 8);
        return MessageDigest.isEqual(candidate, hash);
    }

    private static byte[] pbkdf2(char[] password, byte[] salt, int iterations, int bits) {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, bits);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available", e);
        } finally {
            spec.clearPassword();
        }
    }

    /** Prints the hash of a password typed twice on the console, or read from standard input (one line). */
    public static void main(String[] args) throws IOException {
        char[] password;
        Console console = System.console();
        if (console != null) {
            password = console.readPassword("Password: ");
            char[] again = console.readPassword("Again: ");
            if (password == null || again == null || !Arrays.equals(password, again)) {
                System.err.println("The passwords differ");
                System.exit(1);
                return;
            }
            Arrays.fill(again, '\0');
        } else {
            password = firstLine(System.in);
        }
        if (password.length == 0) {
            System.err.println("The password is empty");
            System.exit(1);
            return;
        }
        System.out.println(create(password));
        Arrays.fill(password, '\0');
    }

    private static char[] firstLine(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            bytes.write(b);
        }
        byte[] raw = bytes.toByteArray();
        int length = raw.length > 0 && raw[raw.length - 1] == '\r' ? raw.length - 1 : raw.length;
        CharBuffer chars = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(raw, 0, length));
        Arrays.fill(raw, (byte) 0);
        char[] password = new char[chars.remaining()];
        chars.get(password);
        return password;
    }
}
