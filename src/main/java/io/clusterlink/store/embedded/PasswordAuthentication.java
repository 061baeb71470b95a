package io.clusterlink.store.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.Set;

import org.postgresql.PGConnection;

/**
 * Password authentication of an embedded data directory: every connection, over TCP or a local socket, must give
 * the password of {@link EmbeddedPostgresServer#USER} (SCRAM-SHA-256), which is generated for the data directory and
 * kept in {@value #PASSWORD_FILE} inside it, readable by its owner only.
 * <p>
 * Data directories created by earlier versions trusted every loopback connection. They are switched on their first
 * start by this version: the server starts on the old {@code pg_hba.conf}, the role gets the password, then
 * {@code pg_hba.conf} is replaced and reloaded. Each step can be repeated, so a start killed half-way is finished by
 * the next one: the password file is written first and kept, and {@code pg_hba.conf} is replaced last.
 */
final class PasswordAuthentication {

    static final String PASSWORD_FILE = "postgres.password";

    /** The whole {@code pg_hba.conf}: no {@code trust} line, the local socket included. */
    static final String HBA = """
            # Written by clusterlink, replaced at start when it differs: password (SCRAM) authentication only.
            # TYPE  DATABASE  USER  ADDRESS       METHOD
            local   all       all                 scram-sha-256
            host    all       all   127.0.0.1/32  scram-sha-256
            host    all       all   ::1/128       scram-sha-256
            """;

    private static final String HBA_FILE = "pg_hba.conf";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final int PASSWORD_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dataDir;
    private final String password;

    private PasswordAuthentication(Path dataDir, String password) {
        this.dataDir = dataDir;
        this.password = password;
    }

    /** Writes a new password into {@code file}, for {@code initdb --pwfile}. */
    static void writeNewPassword(Path file) throws IOException {
        writeOwnerOnly(file, generatePassword());
    }

    /** Moves the password {@code initdb} was given into the new data directory and writes its {@code pg_hba.conf}. */
    static void completeNewDataDirectory(Path dataDir, Path passwordFile) throws IOException {
        Files.move(passwordFile, dataDir.resolve(PASSWORD_FILE));
        writeOwnerOnly(dataDir.resolve(HBA_FILE), HBA);
    }

    /** Reads the password of {@code dataDir}, creating it if an earlier version created the data directory. */
    static PasswordAuthentication of(Path dataDir) throws IOException {
        Path file = dataDir.resolve(PASSWORD_FILE);
        if (Files.exists(file)) {
            return new PasswordAuthentication(dataDir, read(file));
        }
        if (isEnforced(dataDir)) {
            throw new IOException("The password file " + file + " of the embedded PostgreSQL is missing: restore it"
                    + " from a backup of the data directory (the database accepts no connection without it)");
        }
        String password = generatePassword();
        writeOwnerOnly(file, password);
        return new PasswordAuthentication(dataDir, password);
    }

    String password() {
        return password;
    }

    Path passwordFile() {
        return dataDir.resolve(PASSWORD_FILE);
    }

    /** Whether {@code pg_hba.conf} asks every connection for the password; false for earlier versions' data. */
    boolean isEnforced() throws IOException {
        return isEnforced(dataDir);
    }

    /**
     * Gives the role its password and replaces {@code pg_hba.conf}, on a connection the old configuration let in.
     * The password is hashed by the driver (SCRAM-SHA-256), so it never reaches the server in clear.
     *
     * @param user runs the server: {@code pg_hba.conf} must be readable by it
     */
    void enforce(Connection connection, PostgresUser user) throws IOException, SQLException {
        connection.unwrap(PGConnection.class).alterUserPassword(EmbeddedPostgresServer.USER, password.toCharArray(),
                "scram-sha-256");
        Path hba = dataDir.resolve(HBA_FILE);
        Path staging = dataDir.resolve(HBA_FILE + ".new");
        writeOwnerOnly(staging, HBA);
        user.own(staging);
        Files.move(staging, hba, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        try (Statement statement = connection.createStatement()) {
            statement.execute("select pg_reload_conf()");
        }
    }

    private static boolean isEnforced(Path dataDir) throws IOException {
        Path hba = dataDir.resolve(HBA_FILE);
        return Files.exists(hba) && Files.readString(hba, StandardCharsets.UTF_8).equals(HBA);
    }

    /** 256 random bits, URL-safe Base64: no character that needs quoting anywhere. */
    private static String generatePassword() {
        byte[] bytes = new byte[PASSWORD_BYTES];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String read(Path file) throws IOException {
        String password = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (password.isEmpty()) {
            throw new IOException("The password file " + file + " of the embedded PostgreSQL is empty");
        }
        return password;
    }

    /** Created owner-only before anything is written, then renamed into place. */
    private static void writeOwnerOnly(Path file, String content) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temporary);
        Files.createFile(temporary, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        Files.writeString(temporary, content, StandardCharsets.UTF_8);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
