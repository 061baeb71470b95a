package io.clusterlink.api.security;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Verifies a JWT access token (compact JWS): the signature with a key of the issuer (RS256, RS384,
 * RS512, ES256, ES384; never {@code none} or HMAC), then {@code iss}, {@code aud}, {@code exp} and
 * {@code nbf} with a small clock skew.
 */
public final class JwtVerifier {

    /** Why a token was refused; the message names the reason, never the token. */
    public static final class InvalidTokenException extends Exception {
        private static final long serialVersionUID = 1L;

        public InvalidTokenException(String reason) {
            super(reason);
        }
    }

    /** The issuer's signature keys. */
    public interface KeySource {
        /**
         * The key with id {@code kid} (null when the token names none) and type {@code kty} ({@code RSA} or
         * {@code EC}).
         */
        JsonWebKeys.Key key(String kid, String kty) throws InvalidTokenException;
    }

    private record Algorithm(String jca, String kty) {
    }

    private static final Map<String, Algorithm> ALGORITHMS = Map.of(
            "RS256", new Algorithm("SHA256withRSA", "RSA"),
            "RS384", new Algorithm("SHA384withRSA", "RSA"),
            "RS512", new Algorithm("SHA512withRSA", "RSA"),
            "ES256", new Algorithm("SHA256withECDSAinP1363Format", "EC"),
            "ES384", new Algorithm("SHA384withECDSAinP1363Format", "EC"));
    private static final int MAX_TOKEN_LENGTH = 16 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String issuer;
    private final List<String> audiences;
    private final Duration clockSkew;
    private final KeySource keys;
    private final Clock clock;

    /**
     * @param audiences accepted {@code aud} values; empty: not checked
     */
    public JwtVerifier(String issuer, List<String> audiences, Duration clockSkew, KeySource keys, Clock clock) {
        this.issuer = issuer;
        this.audiences = List.copyOf(audiences);
        this.clockSkew = clockSkew;
        this.keys = keys;
        this.clock = clock;
    }

    /** The claims of a valid token. */
    public JsonNode verify(String token) throws InvalidTokenException {
        if (token.length() > MAX_TOKEN_LENGTH) {
            throw new InvalidTokenException("token too long");
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw new InvalidTokenException("not a signed JWT");
        }
        JsonNode header = json(parts[0], "header");
        String alg = header.path("alg").asText("");
        Algorithm algorithm = ALGORITHMS.get(alg);
        if (algorithm == null) {
            throw new InvalidTokenException("algorithm '" + alg + "' is not accepted");
        }
        String kid = header.hasNonNull("kid") ? header.get("kid").asText() : null;
        JsonWebKeys.Key key = keys.key(kid, algorithm.kty());
        if (key.alg() != null && !key.alg().equals(alg)) {
            throw new InvalidTokenException("key '" + kid + "' is for " + key.alg() + ", not " + alg);
        }
        if (!signatureValid(algorithm, key.publicKey(), parts)) {
            throw new InvalidTokenException("bad signature");
        }
        JsonNode claims = json(parts[1], "payload");
        checkClaims(claims);
        return claims;
    }

    private void checkClaims(JsonNode claims) throws InvalidTokenException {
        if (!issuer.equals(claims.path("iss").asText(null))) {
            throw new InvalidTokenException("issuer is not " + issuer);
        }
        if (!audiences.isEmpty() && !audienceMatches(claims.path("aud"))) {
            throw new InvalidTokenException("audience is none of " + audiences);
        }
        long now = clock.instant().getEpochSecond();
        long skew = clockSkew.toSeconds();
        JsonNode exp = claims.get("exp");
        if (exp == null || !exp.isNumber()) {
            throw new InvalidTokenException("no expiry (exp)");
        }
        if (now > exp.asLong() + skew) {
            throw new InvalidTokenException("expired");
        }
        JsonNode nbf = claims.get("nbf");
        if (nbf != null && (!nbf.isNumber() || now + skew < nbf.asLong())) {
            throw new InvalidTokenException("not valid yet (nbf)");
        }
    }

    private boolean audienceMatches(JsonNode aud) {
        if (aud.isTextual()) {
            return audiences.contains(aud.asText());
        }
        if (aud.isArray()) {
            for (JsonNode a : aud) {
                if (a.isTextual() && audiences.contains(a.asText())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean signatureValid(Algorithm algorithm, PublicKey key, String[] parts)
            throws InvalidTokenException {
        byte[] signed = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
        try {
            Signature signature = Signature.getInstance(algorithm.jca());
            signature.initVerify(key);
            signature.update(signed);
            return signature.verify(decode(parts[2], "signature"));
        } catch (GeneralSecurityException e) {
            // a key of the wrong size or curve, or a signature of the wrong length
            return false;
        }
    }

    private static JsonNode json(String part, String what) throws InvalidTokenException {
        try {
            JsonNode node = JSON.readTree(decode(part, what));
            if (node == null || !node.isObject()) {
                throw new InvalidTokenException(what + " is not a JSON object");
            }
            return node;
        } catch (java.io.IOException e) {
            throw new InvalidTokenException(what + " is not JSON");
        }
    }

    private static byte[] decode(String part, String what) throws InvalidTokenException {
        try {
            return Base64.getUrlDecoder().decode(part);
        } catch (IllegalArgumentException e) {
            throw new InvalidTokenException(what + " is not base64url");
        }
    }

    /**
     * The API roles that {@code claims} grant: the values of {@code claimPath} (a dotted path such as
     * {@code realm_access.roles}, unless a claim has that whole name; an array of strings, or one string of space- or comma-separated values)
     * mapped through {@code operatorValues} and {@code viewerValues}.
     */
    public static Set<String> roles(JsonNode claims, String claimPath, List<String> operatorValues,
            List<String> viewerValues) {
        JsonNode node = claims.path(claimPath);
        if (node.isMissingNode()) {
            node = claims;
            for (String step : claimPath.split("\\.")) {
                node = node.path(step);
            }
        }
        Set<String> values = new LinkedHashSet<>();
        if (node.isArray()) {
            node.forEach(v -> {
                if (v.isTextual()) {
                    values.add(v.asText());
                }
            });
        } else if (node.isTextual()) {
            for (String v : node.asText().split("[\\s,]+")) {
                if (!v.isEmpty()) {
                    values.add(v);
                }
            }
        }
        Set<String> roles = new LinkedHashSet<>();
        for (String v : values) {
            if (operatorValues.contains(v)) {
                roles.add(ApiRoles.OPERATOR);
            }
            if (viewerValues.contains(v)) {
                roles.add(ApiRoles.VIEWER);
            }
        }
        return roles;
    }
}
