package io.clusterlink.api.security;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.clusterlink.config.ClusterlinkConfig;

/**
 * The Basic users of {@code clusterlink.api.users.*}, checked against their PBKDF2 hashes.
 * <p>
 * A hash costs hundreds of milliseconds by design, and Basic sends the password with every request.
 * So after a password matched, an HMAC of it under a key that exists only in this process is
 * remembered for that user for the cache's time to live, and later requests with the same password are
 * checked against it (in constant time, microseconds). Only a password that matched the configured hash is
 * ever remembered, one per user, so the cache is bounded by the configured users.
 */
public final class ConfiguredUsers {

    /** A user that matched, with its roles. */
    public record User(String name, Set<String> roles) {
    }

    private record Entry(PasswordHash hash, Set<String> roles) {
    }

    private record Verified(byte[] mac, Instant at) {
    }

    private final Map<String, Entry> users;
    private final PasswordHash unknownUser;
    private final Duration cacheTtl;
    private final Clock clock;
    private final byte[] cacheKey = new byte[32];
    private final Map<String, Verified> verified = new ConcurrentHashMap<>();
    private final LongAdder hashes = new LongAdder();

    ConfiguredUsers(Map<String, Entry> users, Duration cacheTtl, Clock clock) {
        this.users = Map.copyOf(users);
        this.cacheTtl = cacheTtl;
        this.clock = clock;
        // Unknown names cost a hash of the configured users' cost too, so timing does not tell which names exist.
        int iterations = users.values().stream().mapToInt(e -> e.hash().iterations()).max()
                .orElse(PasswordHash.DEFAULT_ITERATIONS);
        this.unknownUser = PasswordHash.parse(PasswordHash.create("unknown-user".toCharArray(), iterations));
        new SecureRandom().nextBytes(cacheKey);
    }

    /**
     * Reads and checks {@code clusterlink.api.users}: a bad hash or role fails the start with a message that
     * names the user, never the value.
     */
    public static ConfiguredUsers from(Map<String, ClusterlinkConfig.User> config, Duration cacheTtl, Clock clock) {
        Map<String, Entry> users = new LinkedHashMap<>();
        config.forEach((name, user) -> {
            PasswordHash hash;
            try {
                hash = PasswordHash.parse(user.passwordHash());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "clusterlink.api.users." + name + ".password-hash is " + e.getMessage()
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
        return new ConfiguredUsers(users, cacheTtl, clock);
    }

    public boolean isEmpty() {
        return users.isEmpty();
    }

    public List<String> names() {
        return List.copyOf(users.keySet());
    }

    /** Users whose hash has fewer iterations than new hashes get: still accepted, worth replacing. */
    public List<String> weakerThanDefault() {
        return users.entrySet().stream().filter(e -> e.getValue().hash().iterations() < PasswordHash.DEFAULT_ITERATIONS)
                .map(Map.Entry::getKey).toList();
    }

    /** How many password hashes were computed (each costs the hash's iterations). */
    public long hashesComputed() {
        return hashes.sum();
    }

    /** The user if {@code password} is theirs, else null: from the cache, else by the hash. */
    public User authenticate(String name, char[] password) {
        User user = cached(name, password);
        return user != null ? user : verify(name, password);
    }

    /**
     * The user if {@code password} is the one that last matched their hash within the cache's time to live, else
     * null (which says nothing about the password). Cheap: an HMAC, no hash.
     */
    public User cached(String name, char[] password) {
        Entry entry = users.get(name);
        Verified known = verified.get(name);
        if (entry == null || known == null) {
            return null;
        }
        if (!clock.instant().isBefore(known.at().plus(cacheTtl))) {
            verified.remove(name, known);
            return null;
        }
        return MessageDigest.isEqual(known.mac(), mac(name, password)) ? new User(name, entry.roles()) : null;
    }

    /**
     * A stand-in for {@code name} and {@code password} that names neither: an HMAC under this process' key, so
     * that concurrent checks of the same credentials can share one hash.
     */
    public String fingerprint(String name, char[] password) {
        return HexFormat.of().formatHex(mac(name, password));
    }

    /** The user if {@code password} matches their hash, else null. Costs one hash, also for unknown names. */
    public User verify(String name, char[] password) {
        Entry entry = users.get(name);
        hashes.increment();
        if (entry == null) {
            unknownUser.matches(password);
            return null;
        }
        if (!entry.hash().matches(password)) {
            return null;
        }
        if (!cacheTtl.isZero() && !cacheTtl.isNegative()) {
            verified.put(name, new Verified(mac(name, password), clock.instant()));
        }
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
