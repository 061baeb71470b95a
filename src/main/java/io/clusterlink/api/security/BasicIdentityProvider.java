package io.clusterlink.api.security;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;

/**
 * Checks the user name and password of Quarkus' Basic mechanism against {@link ConfiguredUsers}, behind the
 * {@link LoginThrottle}. On the event loop: the throttle, and the cache of verified passwords (an HMAC); a hash
 * runs on a worker thread, once for concurrent requests with the same credentials. Counts logins by outcome ({@code clusterlink.api.logins}) and the hashes computed
 * ({@code clusterlink.api.password.hashes}).
 */
@ApplicationScoped
public class BasicIdentityProvider implements IdentityProvider<UsernamePasswordAuthenticationRequest> {

    private static final Logger LOG = Logger.getLogger(BasicIdentityProvider.class);
    private static final String LOGINS = "clusterlink.api.logins";

    private final ApiCredentials credentials;
    private final Counter successes;
    private final Counter failures;
    private final Counter throttled;
    /** Password checks under way, by user name and {@link ConfiguredUsers#fingerprint}. */
    private final Map<String, CompletableFuture<ConfiguredUsers.User>> flights = new ConcurrentHashMap<>();

    BasicIdentityProvider(ApiCredentials credentials, MeterRegistry registry) {
        this.credentials = credentials;
        this.successes = logins(registry, "success");
        this.failures = logins(registry, "failure");
        this.throttled = logins(registry, "throttled");
        FunctionCounter.builder("clusterlink.api.password.hashes", credentials.users(), ConfiguredUsers::hashesComputed)
                .description("Password hashes computed to check Basic logins (a cached password needs none)")
                .register(registry);
    }

    private static Counter logins(MeterRegistry registry, String outcome) {
        return Counter.builder(LOGINS).tag("mechanism", "basic").tag("outcome", outcome)
                .description("API logins with HTTP Basic credentials by outcome; throttled ones were refused unchecked")
                .register(registry);
    }

    @Override
    public Class<UsernamePasswordAuthenticationRequest> getRequestType() {
        return UsernamePasswordAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(UsernamePasswordAuthenticationRequest request,
            AuthenticationRequestContext context) {
        String name = request.getUsername();
        char[] password = request.getPassword().getPassword();
        String address = clientAddress(request);
        ConfiguredUsers users = credentials.users();
        LoginThrottle throttle = credentials.throttle();
        try {
            throttle.checkNotRefused(name, address);
        } catch (LoginThrottle.ThrottledException e) {
            return throttled(name, address, e);
        }
        ConfiguredUsers.User cached = users.cached(name, password);
        if (cached != null) {
            throttle.succeeded(name, address);
            successes.increment();
            return Uni.createFrom().item(identity(cached));
        }
        // Concurrent requests with the same credentials (a client's parallel calls before its password is
        // remembered) wait for one check instead of each paying a hash and taking a throttle slot.
        String flightKey = name + '\0' + users.fingerprint(name, password);
        CompletableFuture<ConfiguredUsers.User> flight = new CompletableFuture<>();
        CompletableFuture<ConfiguredUsers.User> running = flights.putIfAbsent(flightKey, flight);
        if (running != null) {
            return Uni.createFrom().completionStage(running)
                    .onFailure(LoginThrottle.ThrottledException.class).invoke(e -> throttled.increment())
                    .onFailure(LoginThrottle.ThrottledException.class)
                    .transform(e -> new AuthenticationFailedException(e))
                    .map(user -> outcome(user, name, address));
        }
        LoginThrottle.Attempt attempt;
        try {
            attempt = throttle.admit(name, address);
        } catch (LoginThrottle.ThrottledException e) {
            flights.remove(flightKey, flight);
            flight.completeExceptionally(e);
            return throttled(name, address, e);
        }
        // A hash takes hundreds of milliseconds: not on the event loop.
        return context.runBlocking(() -> {
            ConfiguredUsers.User user = users.verify(name, password);
            if (user == null) {
                attempt.failed();
            } else {
                attempt.succeeded();
            }
            flights.remove(flightKey, flight);
            flight.complete(user);
            return outcome(user, name, address);
        }).onTermination().invoke(() -> {
            attempt.abandoned();
            if (flights.remove(flightKey, flight)) {
                flight.completeExceptionally(new AuthenticationFailedException("The password check did not finish"));
            }
        });
    }

    private SecurityIdentity outcome(ConfiguredUsers.User user, String name, String address) {
        if (user == null) {
            failures.increment();
            LOG.debugf("Basic authentication failed for user '%s' from %s", name, address);
            throw new AuthenticationFailedException("Invalid user name or password");
        }
        successes.increment();
        return identity(user);
    }

    private Uni<SecurityIdentity> throttled(String name, String address, LoginThrottle.ThrottledException e) {
        throttled.increment();
        LOG.debugf("Basic login for user '%s' from %s refused unchecked: too many failures (%s)", name, address,
                e.getMessage());
        return Uni.createFrom().failure(new AuthenticationFailedException(e));
    }

    private static SecurityIdentity identity(ConfiguredUsers.User user) {
        return QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal(user.name())).addRoles(user.roles())
                .build();
    }

    /** The peer's IP address (the proxy's, unless {@code quarkus.http.proxy.*} makes Quarkus use the forwarded one). */
    private static String clientAddress(UsernamePasswordAuthenticationRequest request) {
        RoutingContext routing = HttpSecurityUtils.getRoutingContextAttribute(request);
        SocketAddress remote = routing == null ? null : routing.request().remoteAddress();
        if (remote == null) {
            return "unknown";
        }
        return remote.hostAddress() != null ? remote.hostAddress() : remote.host();
    }
}
