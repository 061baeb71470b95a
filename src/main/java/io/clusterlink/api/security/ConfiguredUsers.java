package io.clusterlink.api.security;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.clusterlink.config.ClusterlinkConfig;

/**
 * The Basic users of {@code clusterlink.api.users.*}, checked against their PBKDF2 hashes.
 * <p>
 * A hash costs tens of milliseconds by design, and Basic sends the password with every request.
 * So after a password matched, an HMAC of it under a key that exists only in this process is
 * remembered for that user, and later requests with the same password are checked against it (in
 * constant time). Only a password that matched the configured hash is ever remembered.
 */
public final class ConfiguredUsers {

    /** A user that matched, with its roles. */
    public record User(String name, Set<String> roles) {
    }

    private record Entry(PasswordHash hash, Set<String> roles) {
    }

    private final Map<String, Entry> users;
    private final PasswordHash unknownUser;
    private final byte[] cacheKey = new byte[32];
    private final Map<String, byte[]> verified = new ConcurrentHashMap<>();

    ConfiguredUsers(Map<String, Entry> users) {
        this.users = Map.copyOf(users);
        // Unknown names cost one hash too, so timing does not tell which names exist.
        this.unknownUser = PasswordHash.parse(PasswordHash.create("unknown-user".toCharArray()));
        new SecureRandom().nextBytes(cacheKey);
    }

    /**
     * Reads and checks {@code clusterlink.api.users}: a bad hash or role fails the start with a message that
     * names the user, never the value.
     */
    public static ConfiguredUsers from(Map<String, ClusterlinkConfig.User> config) {
        Map<String, Entry> users = new LinkedHashMap<>();
        config.forEach((name, user) -> {
            PasswordHash hash;
            try {
                hash = PasswordHash.parse(user.passwordHash());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("clusterlink.api.users." + name + ".password-hash is " + e.getMessage()
                        + "; make one with io.clusterlink.api.security.PasswordHash (see the README)");
            }
            Set<String> roles = new LinkedHashSet<>();
            for (String role : user.roles()) {
                if (!ApiRoles.ALL.contains(role.trim())) {
                    throw new IllegalArgumentException("clusterlink.api.users." + name + ".roles has '" + role
                            + "': the roles are " + ApiRoles.VIEWER + " and " + ApiRoles.OPERATOR);
                }
                roles.add(role.trim());
            }
            users.put(name, new Entry(hash, Set.copyOf(roles)));
        });
        return new ConfiguredUsers(users);
    }

    public boolean isEmpty() {
        return users.isEmpty();
    }

    public List<String> names() {
        return List.copyOf(users.keySet());
    }

    /** The user if {@code password} is theirs, else null. */
    public User authenticate(String name, char[] password) {
        Entry entry = users.get(name);
        if (entry == null) {
            unknownUser.matches(password);
            return null;
        }
        byte[] mac = mac(name, password);
        byte[] known = verified.get(name);
        if (known != null && MessageDigest.isEqual(known, mac)) {
            return new User(name, entry.roles());
        }
        if (!entry.hash().matches(password)) {
            return null;
        }
        verified.put(name, mac);
        return new User(name, entry.roles());
    }

    private byte[] mac(String name, char[] password) {
        ByteBuffer bytes = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        byte[] raw = new byte[bytes.remaining()];
        bytes.get(raw);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(cacheKey, "HmacSHA256"));
            mac.update(name.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            return mac.doFinal(raw);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        } finally {
            Arrays.fill(raw, (byte) 0);
            if (bytes.hasArray()) {
                Arrays.fill(bytes.array(), (byte) 0);
            }
        }
    }
}
