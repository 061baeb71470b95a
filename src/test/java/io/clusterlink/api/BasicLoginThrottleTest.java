package io.clusterlink.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.both;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.startsWith;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import jakarta.inject.Inject;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import io.clusterlink.testing.KafkaClustersResource;
import io.clusterlink.testing.OidcIssuerResource;
import io.clusterlink.testing.TestUsers;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * Failed Basic logins are throttled: per user name (here {@link TestUsers#THROTTLED}, whose failures touch no
 * other test) and per client address (a second loopback address, 127.0.0.2). The test profile sets the
 * back-off to 10 s (so that it cannot pass while a busy machine sends the throttled requests) and the address
 * allowance to 8 failures (application.properties).
 */
@QuarkusTest
@QuarkusTestResource(KafkaClustersResource.class)
@QuarkusTestResource(OidcIssuerResource.class)
class BasicLoginThrottleTest {

    private static final Logger LOG = Logger.getLogger(BasicLoginThrottleTest.class);
    private static final int USER_FAILURES = 5;

    @Inject
    MeterRegistry registry;

    @Test
    void repeatedWrongPasswordsAreThrottledWithoutAHashWhileOtherUsersGetIn() {
        // Given: the free failures for one name, each checked with a hash (after a success from this address,
        // so that failures of other test classes do not count against its allowance)
        given().get("/links").then().statusCode(200);
        double hashesBefore = hashes();
        List<Long> hashedMillis = new ArrayList<>();
        for (int i = 0; i < USER_FAILURES; i++) {
            Response response = login(TestUsers.THROTTLED, "wrong-password-" + i);
            assertThat(response.statusCode()).isEqualTo(401);
            hashedMillis.add(response.time());
        }
        assertThat(hashes() - hashesBefore).isEqualTo(USER_FAILURES);

        // When: more attempts follow at once, one with the right password among them
        double throttledBefore = throttledLogins();
        List<Long> throttledMillis = new ArrayList<>();
        List<Response> throttled = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Response response = login(TestUsers.THROTTLED, i == 5 ? TestUsers.THROTTLED_PASSWORD : "wrong-again-" + i);
            throttled.add(response);
            throttledMillis.add(response.time());
        }

        // Then: each is answered 429 with a v3 body and a Retry-After, and not one more hash was computed
        for (Response response : throttled) {
            response.then().statusCode(429).contentType(ContentType.JSON)
                    .header("Retry-After", value -> Integer.parseInt(value), both(greaterThanOrEqualTo(1))
                            .and(lessThanOrEqualTo(10)))
                    .body("error_code", equalTo(429))
                    .body("message", startsWith("Too many failed logins for this user name or from this address"));
        }
        assertThat(hashes() - hashesBefore).isEqualTo(USER_FAILURES);
        assertThat(throttledLogins() - throttledBefore).isEqualTo(10);
        LOG.infof("Answer times: checked with a hash %s ms, throttled %s ms", hashedMillis, throttledMillis);

        // And: another user from the same address gets in
        given().auth().preemptive().basic(TestUsers.VIEWER, TestUsers.VIEWER_PASSWORD).get("/links").then()
                .statusCode(200);

        // When: the back-off has passed, the right password gets in, and the count starts again
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(login(TestUsers.THROTTLED, TestUsers.THROTTLED_PASSWORD).statusCode())
                        .isEqualTo(200));
        assertThat(login(TestUsers.THROTTLED, "wrong-once-more").statusCode()).isEqualTo(401);
        assertThat(login(TestUsers.THROTTLED, TestUsers.THROTTLED_PASSWORD).statusCode()).isEqualTo(200);

        // And: the counts are exported
        given().auth().none().get("/q/metrics").then().statusCode(200)
                .body(containsString("clusterlink_api_logins_total{mechanism=\"basic\",outcome=\"throttled\"}"))
                .body(containsString("clusterlink_api_password_hashes_total"));
    }

    @Test
    void concurrentRequestsWithTheSamePasswordShareOneCheckWhileABurstOfGuessesIsCut() throws Exception {
        // Given: a success from this address (failures of other test classes do not count against it)
        given().get("/links").then().statusCode(200);

        // When: ten requests at once with the same credentials (as a client's parallel calls)
        String name = "parallel-" + UUID.randomUUID();
        double hashesBefore = hashes();
        List<Integer> same = concurrently(10, i -> login(name, "the-same-password").statusCode());

        // Then: one check answers them all: no throttle slot taken per request
        assertThat(same).containsOnly(401);
        assertThat(hashes() - hashesBefore).isLessThanOrEqualTo(2);

        // When: ten different guesses at once for another name
        String target = "burst-" + UUID.randomUUID();
        double hashesBeforeBurst = hashes();
        List<Integer> burst = concurrently(10, i -> login(target, "guess-" + i).statusCode());

        // Then: no more checks start than failures are allowed (5); the rest are refused unchecked
        assertThat(hashes() - hashesBeforeBurst).isEqualTo(USER_FAILURES);
        assertThat(burst).filteredOn(status -> status == 401).hasSize(USER_FAILURES);
        assertThat(burst).filteredOn(status -> status == 429).hasSize(10 - USER_FAILURES);
        given().get("/links").then().statusCode(200);
    }

    @Test
    void anAddressThatFailedTooOftenIsThrottledForEveryNameWhileOtherAddressesGetIn() throws IOException {
        // Given: the address allowance (8) used up from 127.0.0.2, with a new made-up name each time
        String attacker = "127.0.0.2";
        for (int i = 0; i < 8; i++) {
            assertThat(statusFrom(attacker, basic("made-up-user-" + i, "guess"))).isEqualTo(401);
        }

        // When / Then: from that address even a right password is refused unchecked; from 127.0.0.1 it gets in
        assertThat(statusFrom(attacker, basic(TestUsers.VIEWER, TestUsers.VIEWER_PASSWORD))).isEqualTo(429);
        assertThat(statusFrom("127.0.0.1", basic(TestUsers.VIEWER, TestUsers.VIEWER_PASSWORD))).isEqualTo(200);
    }

    /** {@code requests} calls of {@code request} started together on their own threads; their results in order. */
    private static <T> List<T> concurrently(int requests, IntFunction<T> request) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(requests);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                int n = i;
                futures.add(pool.submit(() -> {
                    start.await();
                    return request.apply(n);
                }));
            }
            start.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get(2, TimeUnit.MINUTES));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private static Response login(String user, String password) {
        return given().auth().preemptive().basic(user, password).get("/links");
    }

    private double hashes() {
        return registry.get("clusterlink.api.password.hashes").functionCounter().count();
    }

    private double throttledLogins() {
        return registry.get("clusterlink.api.logins").tag("outcome", "throttled").counter().count();
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** The status of {@code GET /links} sent from {@code localAddress} (a loopback address other than REST Assured's). */
    private static int statusFrom(String localAddress, String authorization) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(localAddress, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", RestAssured.port), 10_000);
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /links HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + authorization
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String status = new BufferedReader(
                    new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            return Integer.parseInt(status.split(" ")[1]);
        }
    }
}
