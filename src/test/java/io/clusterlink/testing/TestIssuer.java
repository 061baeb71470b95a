package io.clusterlink.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A tiny OIDC issuer for tests: an RSA and an EC (P-256) key pair made at start, published as a
 * JWKS with discovery at {@code <issuer>/.well-known/openid-configuration} by a JDK
 * {@link HttpServer} on loopback, and a signer of access tokens. A second realm,
 * {@link #mismatchedIssuer()}, serves a discovery document that names another issuer.
 * <p>
 * One per JVM: Quarkus tests load this class in their own class loader too, so the first instance
 * publishes the issuer URL, keys and JWKS as system properties and later ones adopt them (like
 * {@link KafkaClusters}); the server answers with the JWKS property of the moment, so a key added
 * from any class loader ({@link #addRsaKey}) is served at once.
 */
public final class TestIssuer {

    public static final String AUDIENCE = "clusterlink";
    public static final String RSA_KID = "rsa-1";
    public static final String EC_KID = "ec-1";
    private static final String PREFIX = "clusterlink-test.oidc.";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestIssuer instance;

    private final String issuer;
    private final KeyPair rsa;
    private final KeyPair ec;

    private TestIssuer(String issuer, KeyPair rsa, KeyPair ec) {
        this.issuer = issuer;
        this.rsa = rsa;
        this.ec = ec;
    }

    public static synchronized TestIssuer get() {
        if (instance == null) {
            synchronized (System.class) {
                instance = System.getProperty(PREFIX + "issuer") == null ? start() : adopt();
            }
        }
        return instance;
    }

    public String issuer() {
        return issuer;
    }

    /** An issuer URL whose discovery document names another issuer (with this issuer's keys). */
    public String mismatchedIssuer() {
        return issuer.replace("/realms/test", "/realms/mismatch");
    }

    /**
     * Adds a new RSA key to the published key set (as an issuer does when it rotates its keys) and
     * returns it; sign with {@link #sign(String, String, PrivateKey, Map)} under {@code kid}.
     */
    public static synchronized KeyPair addRsaKey(String kid) {
        KeyPair pair = newRsaKeyPair();
        synchronized (System.class) {
            try {
                @SuppressWarnings("unchecked")
                Map<String, Object> jwks = JSON.readValue(System.getProperty(PREFIX + "jwks"), Map.class);
                @SuppressWarnings("unchecked")
                List<Object> keys = new java.util.ArrayList<>((List<Object>) jwks.get("keys"));
                keys.add(jwk(kid, pair.getPublic()));
                System.setProperty(PREFIX + "jwks", JSON.writeValueAsString(Map.of("keys", keys)));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        return pair;
    }

    /** Claims of a valid operator token; change them to make it invalid. */
    public Map<String, Object> claims(String... groups) {
        long now = Instant.now().getEpochSecond();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", issuer);
        claims.put("aud", AUDIENCE);
        claims.put("sub", "test-subject");
        claims.put("preferred_username", "token-user");
        claims.put("iat", now);
        claims.put("exp", now + 300);
        claims.put("groups", List.of(groups));
        return claims;
    }

    /** Signed with the issuer's RSA key (RS256). */
    public String token(Map<String, Object> claims) {
        return sign("RS256", RSA_KID, rsa.getPrivate(), claims);
    }

    /** Signed with the issuer's EC key (ES256). */
    public String ecToken(Map<String, Object> claims) {
        return sign("ES256", EC_KID, ec.getPrivate(), claims);
    }

    /** Signed with {@code key} under a key id of the issuer's choosing. */
    public static String sign(String alg, String kid, PrivateKey key, Map<String, Object> claims) {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("alg", alg);
        header.put("typ", "JWT");
        if (kid != null) {
            header.put("kid", kid);
        }
        return sign(header, key, claims);
    }

    /** Signed with the issuer's RSA key under this header ({@code alg} RS256 and the key id are added). */
    public String tokenWithHeader(Map<String, Object> extraHeader, Map<String, Object> claims) {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("alg", "RS256");
        header.put("typ", "JWT");
        header.put("kid", RSA_KID);
        header.putAll(extraHeader);
        return sign(header, rsa.getPrivate(), claims);
    }

    private static String sign(Map<String, Object> header, PrivateKey key, Map<String, Object> claims) {
        String alg = (String) header.get("alg");
        try {
            Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
            String signed = b64.encodeToString(JSON.writeValueAsBytes(header)) + "."
                    + b64.encodeToString(JSON.writeValueAsBytes(claims));
            Signature signature = Signature.getInstance(alg.startsWith("ES") ? "SHA256withECDSAinP1363Format"
                    : "SHA256withRSA");
            signature.initSign(key);
            signature.update(signed.getBytes(StandardCharsets.US_ASCII));
            return signed + "." + b64.encodeToString(signature.sign());
        } catch (GeneralSecurityException | JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static KeyPair newRsaKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static KeyPair newEcKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The JWKS document of these public keys. */
    public static String jwks(Map<String, PublicKey> keysById) {
        List<Map<String, String>> keys = new java.util.ArrayList<>();
        keysById.forEach((kid, key) -> keys.add(jwk(kid, key)));
        try {
            return JSON.writeValueAsString(Map.of("keys", keys));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> jwk(String kid, PublicKey key) {
        Map<String, String> jwk = new LinkedHashMap<>();
        jwk.put("kid", kid);
        jwk.put("use", "sig");
        if (key instanceof RSAPublicKey r) {
            jwk.put("kty", "RSA");
            jwk.put("alg", "RS256");
            jwk.put("n", unsigned(r.getModulus(), 0));
            jwk.put("e", unsigned(r.getPublicExponent(), 0));
        } else if (key instanceof ECPublicKey e) {
            jwk.put("kty", "EC");
            jwk.put("crv", "P-256");
            jwk.put("x", unsigned(e.getW().getAffineX(), 32));
            jwk.put("y", unsigned(e.getW().getAffineY(), 32));
        }
        return jwk;
    }

    private static String unsigned(BigInteger value, int length) {
        byte[] bytes = value.toByteArray();
        if (bytes.length > 1 && bytes[0] == 0) {
            bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        if (bytes.length < length) {
            byte[] padded = new byte[length];
            System.arraycopy(bytes, 0, padded, length - bytes.length, bytes.length);
            bytes = padded;
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static TestIssuer start() {
        KeyPair rsa = newRsaKeyPair();
        KeyPair ec = newEcKeyPair();
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            String issuer = base + "/realms/test";
            String discovery = JSON.writeValueAsString(Map.of("issuer", issuer, "jwks_uri", issuer + "/jwks"));
            String mismatched = JSON.writeValueAsString(
                    Map.of("issuer", base + "/realms/elsewhere", "jwks_uri", issuer + "/jwks"));
            System.setProperty(PREFIX + "jwks", jwks(Map.of(RSA_KID, rsa.getPublic(), EC_KID, ec.getPublic())));
            server.createContext("/realms/test/.well-known/openid-configuration", x -> respond(x, discovery));
            server.createContext("/realms/test/jwks", x -> respond(x, System.getProperty(PREFIX + "jwks")));
            server.createContext("/realms/mismatch/.well-known/openid-configuration", x -> respond(x, mismatched));
            server.start();
            System.setProperty(PREFIX + "rsa", encode(rsa));
            System.setProperty(PREFIX + "ec", encode(ec));
            System.setProperty(PREFIX + "issuer", issuer);
            return new TestIssuer(issuer, rsa, ec);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start the test issuer", e);
        }
    }

    private static TestIssuer adopt() {
        return new TestIssuer(System.getProperty(PREFIX + "issuer"), decode(System.getProperty(PREFIX + "rsa"), "RSA"),
                decode(System.getProperty(PREFIX + "ec"), "EC"));
    }

    private static void respond(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String encode(KeyPair pair) {
        Base64.Encoder b64 = Base64.getEncoder();
        return b64.encodeToString(pair.getPrivate().getEncoded()) + ":"
                + b64.encodeToString(pair.getPublic().getEncoded());
    }

    private static KeyPair decode(String encoded, String algorithm) {
        String[] parts = encoded.split(":");
        try {
            KeyFactory factory = KeyFactory.getInstance(algorithm);
            return new KeyPair(factory.generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(parts[1]))),
                    factory.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(parts[0]))));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
