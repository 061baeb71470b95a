package io.clusterlink.api.security;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A JSON Web Key Set (RFC 7517) as an issuer publishes it: its RSA keys and its EC keys on P-256
 * and P-384. Keys of other types, and keys whose {@code use} is not {@code sig}, are skipped.
 */
public final class JsonWebKeys {

    /** One signature key: {@code kty} is {@code RSA} or {@code EC}; {@code kid} and {@code alg} may be null. */
    public record Key(String kid, String kty, String alg, PublicKey publicKey) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> CURVES = Map.of("P-256", "secp256r1", "P-384", "secp384r1");

    private JsonWebKeys() {
    }

    /**
     * The usable keys of a JWKS document.
     *
     * @throws IllegalArgumentException if it is not a JWKS document
     */
    public static List<Key> parse(String json) {
        JsonNode keys;
        try {
            keys = JSON.readTree(json).path("keys");
        } catch (Exception e) {
            throw new IllegalArgumentException("not JSON");
        }
        if (!keys.isArray()) {
            throw new IllegalArgumentException("no 'keys' array");
        }
        List<Key> result = new ArrayList<>();
        for (JsonNode jwk : keys) {
            String use = jwk.path("use").asText("sig");
            if (!"sig".equals(use)) {
                continue;
            }
            String kty = jwk.path("kty").asText();
            String kid = jwk.hasNonNull("kid") ? jwk.get("kid").asText() : null;
            String alg = jwk.hasNonNull("alg") ? jwk.get("alg").asText() : null;
            try {
                if ("RSA".equals(kty)) {
                    result.add(new Key(kid, kty, alg, rsa(jwk)));
                } else if ("EC".equals(kty) && CURVES.containsKey(jwk.path("crv").asText())) {
                    result.add(new Key(kid, kty, alg, ec(jwk)));
                }
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                // a malformed key cannot verify anything; the others still can
            }
        }
        return result;
    }

    private static PublicKey rsa(JsonNode jwk) throws GeneralSecurityException {
        BigInteger n = unsigned(jwk, "n");
        BigInteger e = unsigned(jwk, "e");
        return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, e));
    }

    private static PublicKey ec(JsonNode jwk) throws GeneralSecurityException {
        AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
        parameters.init(new ECGenParameterSpec(CURVES.get(jwk.path("crv").asText())));
        ECParameterSpec spec = parameters.getParameterSpec(ECParameterSpec.class);
        ECPoint point = new ECPoint(unsigned(jwk, "x"), unsigned(jwk, "y"));
        return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, spec));
    }

    private static BigInteger unsigned(JsonNode jwk, String field) {
        String value = jwk.path(field).asText("");
        if (value.isEmpty()) {
            throw new IllegalArgumentException("no " + field);
        }
        return new BigInteger(1, Base64.getUrlDecoder().decode(value));
    }
}
