package io.clusterlink.api.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import io.clusterlink.config.ClusterlinkConfig;

/**
 * Back-off for failed Basic logins, so that guessing passwords is slow and cannot keep the worker threads busy
 * with hashes. Failures are counted per user name (known or not) and per client address. The first
 * {@code user-failures} (or {@code address-failures}) are free; each failure after them refuses that name (or
 * address) for {@code backoff}, doubled with each further failure up to {@code max-backoff}. While refused, an
 * attempt is answered at once, without a hash, so not even a right password gets in. A successful login clears
 * its name's and address's counts; a quiet {@code window} does too. Concurrent attempts count against the
 * allowance as well, so that a burst of guesses cannot start more hashes than failures are left (concurrent
 * checks of the same password share one attempt, see {@link BasicIdentityProvider}).
 * <p>
 * Keys are bounded ({@value #MAX_KEYS} per kind, least recently used dropped first), and a long name is kept
 * as its SHA-256, so made-up names cannot grow the memory.
 */
public final class LoginThrottle {

    static final int MAX_KEYS = 10_000;
    private static final int MAX_KEY_LENGTH = 128;

    /** A login that was let through: report how it ended, once. */
    public final class Attempt {
        private final String user;
        private final String address;
        private boolean done;

        private Attempt(String user, String address) {
            this.user = user;
            this.address = address;
        }

        public void succeeded() {
            end(this, Outcome.SUCCESS);
        }

        public void failed() {
            end(this, Outcome.FAILURE);
        }

        /** Neither: the check did not run to its end (an error); only frees the slot. */
        public void abandoned() {
            end(this, Outcome.NONE);
        }
    }

    /** Refused without a check: try again after {@code retryAfter}. */
    public static final class ThrottledException extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient Duration retryAfter;

        ThrottledException(Duration retryAfter) {
            super("throttled for " + retryAfter, null, false, false);
            this.retryAfter = retryAfter;
        }

        public Duration retryAfter() {
            return retryAfter;
        }
    }

    private enum Outcome {
        SUCCESS, FAILURE, NONE
    }

    private static final class Failures {
        int failures;
        int inFlight;
        Instant lastFailure = Instant.MIN;
        Instant blockedUntil = Instant.MIN;
    }

    private final ClusterlinkConfig.LoginThrottle config;
    private final Clock clock;
    private final Map<String, Failures> users = lru();
    private final Map<String, Failures> addresses = lru();

    public LoginThrottle(ClusterlinkConfig.LoginThrottle config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    /**
     * Refuses a login while its name or address is in a back-off; unlike {@link #admit}, takes no slot. Comes
     * before anything else that could tell a right password (the cache of verified passwords, a check under way).
     *
     * @throws ThrottledException when the name or the address is refused for now
     */
    public synchronized void checkNotRefused(String user, String address) throws ThrottledException {
        Instant now = clock.instant();
        Duration wait = max(blocked(users.get(key(user)), now), blocked(addresses.get(key(address)), now));
        if (!wait.isZero() && !wait.isNegative()) {
            throw new ThrottledException(wait);
        }
    }

    /**
     * Lets a login of {@code user} from {@code address} go on to its password check, or refuses it.
     *
     * @throws ThrottledException when the name or the address is refused for now
     */
    public synchronized Attempt admit(String user, String address) throws ThrottledException {
        Instant now = clock.instant();
        String userKey = key(user);
        String addressKey = key(address);
        Failures u = state(users, userKey, now);
        Failures a = state(addresses, addressKey, now);
        Duration wait = max(wait(u, config.userFailures(), now), wait(a, config.addressFailures(), now));
        if (!wait.isZero() && !wait.isNegative()) {
            forgetIfClear(users, userKey, u);
            forgetIfClear(addresses, addressKey, a);
            throw new ThrottledException(wait);
        }
        u.inFlight++;
        a.inFlight++;
        return new Attempt(userKey, addressKey);
    }

    /** A login that succeeded without an attempt (a remembered password): clears its name's and address's counts. */
    public synchronized void succeeded(String user, String address) {
        clear(users, key(user));
        clear(addresses, key(address));
    }

    private static void clear(Map<String, Failures> map, String key) {
        Failures f = map.get(key);
        if (f != null) {
            f.failures = 0;
            f.blockedUntil = Instant.MIN;
            forgetIfClear(map, key, f);
        }
    }

    /** How many names and addresses have failures on record (for tests and metrics). */
    public synchronized int tracked() {
        return users.size() + addresses.size();
    }

    private synchronized void end(Attempt attempt, Outcome outcome) {
        if (attempt.done) {
            return;
        }
        attempt.done = true;
        Instant now = clock.instant();
        end(users, attempt.user, outcome, config.userFailures(), now);
        end(addresses, attempt.address, outcome, config.addressFailures(), now);
    }

    private void end(Map<String, Failures> map, String key, Outcome outcome, int allowance, Instant now) {
        Failures f = map.get(key);
        if (f == null) {
            return; // dropped while full
        }
        f.inFlight = Math.max(0, f.inFlight - 1);
        if (outcome == Outcome.SUCCESS) {
            f.failures = 0;
            f.blockedUntil = Instant.MIN;
        } else if (outcome == Outcome.FAILURE) {
            f.failures++;
            f.lastFailure = now;
            if (f.failures >= allowance) {
                f.blockedUntil = now.plus(backoff(f.failures - allowance));
            }
        }
        forgetIfClear(map, key, f);
    }

    /** {@code backoff} doubled {@code doublings} times, at most {@code max-backoff}. */
    private Duration backoff(int doublings) {
        Duration max = config.maxBackoff();
        Duration backoff = config.backoff();
        for (int i = 0; i < doublings && backoff.compareTo(max) < 0; i++) {
            backoff = backoff.multipliedBy(2);
        }
        return backoff.compareTo(max) > 0 ? max : backoff;
    }

    private static Duration blocked(Failures f, Instant now) {
        return f != null && now.isBefore(f.blockedUntil) ? Duration.between(now, f.blockedUntil) : Duration.ZERO;
    }

    private Duration wait(Failures f, int allowance, Instant now) {
        if (now.isBefore(f.blockedUntil)) {
            return Duration.between(now, f.blockedUntil);
        }
        int slots = f.failures < allowance ? allowance - f.failures : 1;
        return f.inFlight >= slots ? config.backoff() : Duration.ZERO;
    }

    private Failures state(Map<String, Failures> map, String key, Instant now) {
        Failures f = map.computeIfAbsent(key, k -> new Failures());
        boolean quiet = f.inFlight == 0 && !now.isBefore(f.blockedUntil)
                && !now.isBefore(f.lastFailure.plus(config.window()));
        if (quiet && f.failures > 0) {
            f.failures = 0;
        }
        return f;
    }

    private static void forgetIfClear(Map<String, Failures> map, String key, Failures f) {
        if (f.failures == 0 && f.inFlight == 0) {
            map.remove(key, f);
        }
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static String key(String value) {
        if (value.length() <= MAX_KEY_LENGTH) {
            return value;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private static Map<String, Failures> lru() {
        return new LinkedHashMap<>(64, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Failures> eldest) {
                return size() > MAX_KEYS;
            }
        };
    }
}
