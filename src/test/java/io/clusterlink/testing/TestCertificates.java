package io.clusterlink.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.clusterlink.kafka.local.LocalKafkaCluster;

/**
 * A throw-away certificate authority for the test clusters, made with the JDK's {@code keytool}
 * on first use in a directory (and read back from it later): a CA, a broker certificate for
 * {@code 127.0.0.1} / {@code localhost}, and a client certificate ({@code CN=clusterlink-client})
 * for mutual TLS, as PKCS12 stores and as the PEM texts that link configs take inline. No key is
 * ever committed; each test JVM makes its own.
 */
public final class TestCertificates {

    /** The principal Kafka derives from the client certificate. */
    public static final String CLIENT_PRINCIPAL = "User:CN=clusterlink-client";
    private static final String PASSWORD = "test-store-password";

    private final Path dir;

    private TestCertificates(Path dir) {
        this.dir = dir;
    }

    /** The certificates in {@code dir}, made there first if missing. */
    public static synchronized TestCertificates in(Path dir) {
        TestCertificates certs = new TestCertificates(dir);
        if (!Files.exists(dir.resolve("done"))) {
            certs.make();
        }
        return certs;
    }

    /** The broker's TLS material: its key store and a trust store with the CA. */
    public LocalKafkaCluster.Tls brokerTls() {
        return new LocalKafkaCluster.Tls(dir.resolve("broker.p12"), dir.resolve("truststore.p12"), PASSWORD);
    }

    public Path truststore() {
        return dir.resolve("truststore.p12");
    }

    public Path clientKeystore() {
        return dir.resolve("client.p12");
    }

    /** Password of every store and key here. */
    public String password() {
        return PASSWORD;
    }

    /** The CA certificate as PEM: what {@code ssl.truststore.certificates} takes. */
    public String caPem() {
        return pem("CERTIFICATE", certificates("ca.p12", "ca").get(0));
    }

    /** The client's certificate chain as PEM: {@code ssl.keystore.certificate.chain}. */
    public String clientChainPem() {
        StringBuilder pem = new StringBuilder();
        for (byte[] der : certificates("client.p12", "client")) {
            pem.append(pem("CERTIFICATE", der));
        }
        return pem.toString();
    }

    /** The client's private key as unencrypted PKCS#8 PEM: {@code ssl.keystore.key}. */
    public String clientKeyPem() {
        try {
            Key key = load("client.p12").getKey("client", PASSWORD.toCharArray());
            return pem("PRIVATE KEY", key.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<byte[]> certificates(String store, String alias) {
        try {
            List<byte[]> ders = new ArrayList<>();
            Certificate[] chain = load(store).getCertificateChain(alias);
            for (Certificate c : chain == null ? new Certificate[] { load(store).getCertificate(alias) } : chain) {
                ders.add(c.getEncoded());
            }
            return ders;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private KeyStore load(String store) {
        try (InputStream in = Files.newInputStream(dir.resolve(store))) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, PASSWORD.toCharArray());
            return ks;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private void make() {
        try {
            Files.createDirectories(dir);
            keytool("-genkeypair", "-alias", "ca", "-dname", "CN=clusterlink-test-ca", "-ext", "bc:c",
                    "-keystore", "ca.p12");
            keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", "ca.p12", "-file", "ca.pem");
            keytool("-importcert", "-noprompt", "-alias", "ca", "-file", "ca.pem", "-keystore", "truststore.p12");
            signed("broker", "CN=localhost", "SAN=ip:127.0.0.1,dns:localhost");
            signed("client", "CN=clusterlink-client", null);
            Files.writeString(dir.resolve("done"), "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A key pair in {@code <name>.p12} whose certificate the CA signed, with the CA in its chain. */
    private void signed(String name, String dname, String san) throws IOException {
        String store = name + ".p12";
        keytool("-genkeypair", "-alias", name, "-dname", dname, "-keystore", store);
        keytool("-certreq", "-alias", name, "-keystore", store, "-file", name + ".csr");
        List<String> sign = new ArrayList<>(List.of("-gencert", "-alias", "ca", "-keystore", "ca.p12",
                "-infile", name + ".csr", "-outfile", name + ".pem", "-rfc"));
        if (san != null) {
            sign.addAll(List.of("-ext", san));
        }
        keytool(sign.toArray(String[]::new));
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", "ca.pem", "-keystore", store);
        keytool("-importcert", "-noprompt", "-alias", name, "-file", name + ".pem", "-keystore", store);
    }

    private void keytool(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
                .toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD));
        if (args[0].equals("-genkeypair")) {
            command.addAll(List.of("-keyalg", "RSA", "-keysize", "2048", "-validity", "7", "-keypass", PASSWORD));
        }
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("keytool " + args[0] + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException("Interrupted while running keytool", e);
        }
    }
}
