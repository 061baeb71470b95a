package io.clusterlink.api.security;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The signature keys of an OIDC issuer, fetched from its JWKS URL (configured, or discovered once
 * from {@code <issuer>/.well-known/openid-configuration}) and cached. The key set is fetched again
 * when it is older than the refresh interval, or when a token names a key id it does not have (key
 * rotation) but at most once per minimum refetch interval, so tokens with made-up key ids cannot
 * make the service hammer the issuer. A failed fetch keeps the keys it has.
 */
public final class IssuerKeys implements JwtVerifier.KeySource {

    private static final Logger LOG = Logger.getLogger(IssuerKeys.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_DOCUMENT_BYTES = 1024 * 1024;

    private final String issuer;
    private final String configuredJwksUrl;
    private final Duration timeout;
    private final Duration refreshInterval;
    private final Duration minRefetchInterval;
    private final Clock clock;
    private final HttpClient http;

    private String jwksUrl;
    private List<JsonWebKeys.Key> keys = List.of();
    private Instant fetchedAt = Instant.MIN;
    private Instant lastAttempt = Instant.MIN;

    /**
     * @param jwksUrl the key set's URL, or null to discover it from the issuer
     */
    public IssuerKeys(String issuer, String jwksUrl, Duration timeout, Duration refreshInterval,
            Duration minRefetchInterval, Clock clock) {
        this.issuer = issuer;
        this.configuredJwksUrl = jwksUrl;
        this.timeout = timeout;
        this.refreshInterval = refreshInterval;
        this.minRefetchInterval = minRefetchInterval;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    /** Blocks while the key set is fetched: call it off the event loop. */
    @Override
    public synchronized JsonWebKeys.Key key(String kid, String kty) throws JwtVerifier.InvalidTokenException {
        Instant now = clock.instant();
        boolean stale = fetchedAt.plus(refreshInterval).isBefore(now);
        JsonWebKeys.Key key = stale ? null : find(kid, kty);
        if (key == null && (stale || lastAttempt.plus(minRefetchInterval).isBefore(now))) {
            fetch(now);
            key = find(kid, kty);
        }
        if (key == null) {
            throw new JwtVerifier.InvalidTokenException(kid == null
                    ? "no kid and the issuer has not exactly one " + kty + " key"
                    : "unknown key id '" + kid + "'");
        }
        return key;
    }

    private JsonWebKeys.Key find(String kid, String kty) {
        List<JsonWebKeys.Key> candidates = keys.stream().filter(k -> k.kty().equals(kty)).toList();
        if (kid == null) {
            return candidates.size() == 1 ? candidates.get(0) : null;
        }
        return candidates.stream().filter(k -> kid.equals(k.kid())).findFirst().orElse(null);
    }

    private void fetch(Instant now) {
        lastAttempt = now;
        try {
            if (jwksUrl == null) {
                jwksUrl = configuredJwksUrl != null ? configuredJwksUrl : discover();
            }
            List<JsonWebKeys.Key> fetched = JsonWebKeys.parse(get(jwksUrl));
            keys = fetched;
            fetchedAt = now;
            LOG.debugf("Fetched %d signature key(s) of %s from %s", fetched.size(), issuer, jwksUrl);
        } catch (IOException | IllegalArgumentException e) {
            LOG.warnf("Cannot fetch the signature keys of OIDC issuer %s: %s (keeping %d known key(s))", issuer,
                    e.getMessage(), keys.size());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String discover() throws IOException, InterruptedException {
        String url = issuer.replaceAll("/+$", "") + "/.well-known/openid-configuration";
        JsonNode document;
        try {
            document = JSON.readTree(get(url));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(url + " is not JSON");
        }
        String uri = document.path("jwks_uri").asText("");
        if (uri.isEmpty()) {
            throw new IOException(url + " has no jwks_uri");
        }
        return uri;
    }

    private String get(String url) throws IOException, InterruptedException {
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout).header("Accept", "application/json")
                    .GET().build();
        } catch (IllegalArgumentException e) {
            throw new IOException("invalid URL " + url);
        }
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IOException(url + " answered HTTP " + response.statusCode());
        }
        if (response.body().length > MAX_DOCUMENT_BYTES) {
            throw new IOException(url + " sent more than " + MAX_DOCUMENT_BYTES + " bytes");
        }
        return new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
    }
}
