package io.clusterlink.api.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.clusterlink.config.ClusterlinkConfig;

class LoginThrottleTest {

    private static final String HOST = "192.0.2.1";

    private final ConfiguredUsersTest.MutableClock clock = new ConfiguredUsersTest.MutableClock(
            Instant.parse("2026-01-01T00:00:00Z"));
    private final LoginThrottle throttle = new LoginThrottle(config(3, 10), clock);

    @Test
    void theFirstFailuresAreFreeThenANameIsRefusedForAGrowingBackoff() throws Exception {
        // Given: three free failures
        fail("alice", HOST, 3);

        // Then: refused for 1 s
        assertThrottled("alice", HOST, Duration.ofSeconds(1));
        clock.advance(Duration.ofMillis(999));
        assertThrottled("alice", HOST, Duration.ofMillis(1));

        // When: the back-off has passed and the next attempt fails as well
        clock.advance(Duration.ofMillis(1));
        fail("alice", HOST, 1);

        // Then: refused for twice as long, then four times, and never longer than the maximum
        assertThrottled("alice", HOST, Duration.ofSeconds(2));
        clock.advance(Duration.ofSeconds(2));
        fail("alice", HOST, 1);
        assertThrottled("alice", HOST, Duration.ofSeconds(4));
        for (int i = 0; i < 10; i++) {
            clock.advance(Duration.ofMinutes(1));
            fail("alice", HOST, 1);
        }
        assertThrottled("alice", HOST, Duration.ofSeconds(30));
    }

    @Test
    void otherNamesAreNotRefusedAndASuccessClearsTheCount() throws Exception {
        // Given
        fail("alice", HOST, 3);

        // When / Then: another name from the same address goes on
        throttle.admit("bob", HOST).succeeded();
        assertThrottled("alice", HOST, Duration.ofSeconds(1));

        // When: alice's back-off passes and her password is right
        clock.advance(Duration.ofSeconds(1));
        throttle.admit("alice", HOST).succeeded();

        // Then: her count starts again: three free failures
        fail("alice", HOST, 3);
        assertThrottled("alice", HOST, Duration.ofSeconds(1));
    }

    @Test
    void anAddressIsRefusedAfterItsOwnAllowanceWhateverTheNames() throws Exception {
        // Given: ten failures from one address, two per name
        for (int i = 0; i < 5; i++) {
            fail("user-" + i, HOST, 2);
        }

        // Then: a new name from that address is refused, from another address it is not
        assertThrottled("someone-new", HOST, Duration.ofSeconds(1));
        throttle.admit("someone-new", "192.0.2.2").succeeded();
    }

    @Test
    void failuresAreForgottenAfterAQuietWindow() throws Exception {
        // Given: two failures, then a quiet window
        fail("alice", HOST, 2);
        clock.advance(Duration.ofMinutes(15));

        // When: two more
        fail("alice", HOST, 2);

        // Then: two in the window, not four: not refused
        throttle.admit("alice", HOST).abandoned();
        assertThat(throttle.tracked()).isEqualTo(2);
        throttle.admit("alice", HOST).succeeded();
        assertThat(throttle.tracked()).isZero();
    }

    @Test
    void concurrentAttemptsCannotStartMoreChecksThanFailuresAreLeft() throws Exception {
        // Given: one failure, so two are left
        fail("alice", HOST, 1);

        // When: two attempts run at once
        LoginThrottle.Attempt first = throttle.admit("alice", HOST);
        LoginThrottle.Attempt second = throttle.admit("alice", HOST);

        // Then: a third must wait, until one of them ends
        assertThatThrownBy(() -> throttle.admit("alice", HOST)).isInstanceOf(LoginThrottle.ThrottledException.class);
        first.succeeded();
        second.failed();
        throttle.admit("alice", HOST).succeeded();
    }

    @Test
    void aRefusedNameIsToldWithoutTakingASlotAndARememberedPasswordClearsTheCount() throws Exception {
        // Given
        fail("alice", HOST, 2);
        throttle.checkNotRefused("alice", HOST);

        // When: a login succeeds without an attempt (its password was remembered)
        throttle.succeeded("alice", HOST);

        // Then: the count starts again, and nothing is tracked any more
        assertThat(throttle.tracked()).isZero();
        fail("alice", HOST, 3);
        assertThatThrownBy(() -> throttle.checkNotRefused("alice", HOST))
                .isInstanceOfSatisfying(LoginThrottle.ThrottledException.class,
                        e -> assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(1)));
        assertThatCode(() -> throttle.checkNotRefused("bob", HOST)).doesNotThrowAnyException();
    }

    @Test
    void anAttemptCountsOnce() throws Exception {
        LoginThrottle.Attempt attempt = throttle.admit("alice", HOST);

        attempt.failed();
        attempt.failed();
        attempt.abandoned();
        attempt.failed();

        fail("alice", HOST, 2);
        assertThrottled("alice", HOST, Duration.ofSeconds(1));
    }

    @Test
    void madeUpNamesCannotGrowItsMemoryWithoutBound() throws Exception {
        LoginThrottle generous = new LoginThrottle(config(3, Integer.MAX_VALUE), clock);
        String longName = "x".repeat(10_000);

        for (int i = 0; i < LoginThrottle.MAX_KEYS + 100; i++) {
            generous.admit("made-up-" + i, HOST).failed();
        }
        generous.admit(longName, HOST).failed();

        assertThat(generous.tracked()).isEqualTo(LoginThrottle.MAX_KEYS + 1);
    }

    private void fail(String user, String address, int times) throws LoginThrottle.ThrottledException {
        for (int i = 0; i < times; i++) {
            throttle.admit(user, address).failed();
        }
    }

    private void assertThrottled(String user, String address, Duration retryAfter) {
        assertThatThrownBy(() -> throttle.admit(user, address)).isInstanceOfSatisfying(
                LoginThrottle.ThrottledException.class, e -> assertThat(e.retryAfter()).isEqualTo(retryAfter));
    }

    static ClusterlinkConfig.LoginThrottle config(int userFailures, int addressFailures) {
        return new ClusterlinkConfig.LoginThrottle() {
            @Override
            public int userFailures() {
                return userFailures;
            }

            @Override
            public int addressFailures() {
                return addressFailures;
            }

            @Override
            public Duration backoff() {
                return Duration.ofSeconds(1);
            }

            @Override
            public Duration maxBackoff() {
                return Duration.ofSeconds(30);
            }

            @Override
            public Duration window() {
                return Duration.ofMinutes(15);
            }
        };
    }
}
