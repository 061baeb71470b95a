package io.clusterlink.api.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.clusterlink.config.ClusterlinkConfig;

class ConfiguredUsersTest {

    private static final Duration TTL = Duration.ofMinutes(5);
    private static final String ALICE = PasswordHash.create("alice-pw".toCharArray(), PasswordHash.MIN_ITERATIONS);
    private static final String BOB = PasswordHash.create("bob-pw".toCharArray(), PasswordHash.MIN_ITERATIONS);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

    @Test
    void usersAuthenticateWithTheirPasswordAndGetTheirRoles() {
        // Given
        ConfiguredUsers users = users(TTL);

        // When / Then: twice each, the second time from the verified-password cache
        for (int i = 0; i < 2; i++) {
            assertThat(users.authenticate("alice", "alice-pw".toCharArray()))
                    .isEqualTo(new ConfiguredUsers.User("alice", Set.of("operator")));
            assertThat(users.authenticate("bob", "bob-pw".toCharArray()).roles()).containsExactly("viewer");
            assertThat(users.authenticate("alice", "bob-pw".toCharArray())).isNull();
            assertThat(users.authenticate("carol", "alice-pw".toCharArray())).isNull();
        }
        assertThat(users.authenticate("alice", "alice-pw ".toCharArray())).isNull();
    }

    @Test
    void aVerifiedPasswordIsCheckedWithoutAHashUntilTheCacheExpires() {
        // Given
        ConfiguredUsers users = users(TTL);
        users.authenticate("alice", "alice-pw".toCharArray());
        long afterFirst = users.hashesComputed();

        // When: again within the time to live, with the right and a wrong password
        ConfiguredUsers.User again = users.authenticate("alice", "alice-pw".toCharArray());
        ConfiguredUsers.User cachedWrong = users.cached("alice", "not-alice-pw".toCharArray());
        clock.advance(TTL.minusSeconds(1));
        ConfiguredUsers.User beforeExpiry = users.cached("alice", "alice-pw".toCharArray());

        // Then
        assertThat(afterFirst).isEqualTo(1);
        assertThat(again).isNotNull();
        assertThat(cachedWrong).isNull();
        assertThat(beforeExpiry).isNotNull();
        assertThat(users.hashesComputed()).isEqualTo(1);

        // When: the time to live has passed
        clock.advance(Duration.ofSeconds(1));

        // Then: the cache answers no more, and the next check pays a hash (and fills the cache again)
        assertThat(users.cached("alice", "alice-pw".toCharArray())).isNull();
        assertThat(users.authenticate("alice", "alice-pw".toCharArray())).isNotNull();
        assertThat(users.hashesComputed()).isEqualTo(2);
        assertThat(users.cached("alice", "alice-pw".toCharArray())).isNotNull();
    }

    @Test
    void aZeroTimeToLiveHashesEveryTime() {
        ConfiguredUsers users = users(Duration.ZERO);

        users.authenticate("alice", "alice-pw".toCharArray());
        users.authenticate("alice", "alice-pw".toCharArray());

        assertThat(users.cached("alice", "alice-pw".toCharArray())).isNull();
        assertThat(users.hashesComputed()).isEqualTo(2);
    }

    @Test
    void wrongPasswordsAndUnknownNamesCostAHashEach() {
        ConfiguredUsers users = users(TTL);

        users.authenticate("alice", "wrong".toCharArray());
        users.authenticate("nobody", "wrong".toCharArray());
        users.authenticate("nobody", "wrong".toCharArray());

        assertThat(users.hashesComputed()).isEqualTo(3);
        assertThat(users.cached("alice", "wrong".toCharArray())).isNull();
    }

    @Test
    void hashesWithFewerIterationsThanTheDefaultAreNamed() {
        ConfiguredUsers users = users(TTL);

        assertThat(users.weakerThanDefault()).containsExactlyInAnyOrder("alice", "bob");
        assertThat(ConfiguredUsers.from(Map.of("carol", user(PasswordHash.create("c".toCharArray()), "viewer")), TTL,
                clock).weakerThanDefault()).isEmpty();
    }

    @Test
    void aUserWithABadHashOrAnUnknownRoleFailsTheStartWithoutShowingTheValue() {
        assertThatThrownBy(() -> ConfiguredUsers.from(Map.of("alice", user("plain-password", "operator")), TTL, clock))
                .hasMessageStartingWith("clusterlink.api.users.alice.password-hash is not a pbkdf2-sha256$")
                .hasMessageNotContaining("plain-password");
        assertThatThrownBy(() -> ConfiguredUsers.from(Map.of("alice", user(ALICE, "admin")), TTL, clock))
                .hasMessage("clusterlink.api.users.alice.roles has 'admin': the roles are viewer and operator");
    }

    private ConfiguredUsers users(Duration ttl) {
        return ConfiguredUsers.from(Map.of("alice", user(ALICE, "operator"), "bob", user(BOB, "viewer")), ttl, clock);
    }

    static ClusterlinkConfig.User user(String hash, String... roles) {
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

    /** A clock the test moves. */
    static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
