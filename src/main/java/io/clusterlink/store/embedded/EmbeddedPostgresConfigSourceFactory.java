package io.clusterlink.store.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.quarkus.runtime.ExecutionMode;
import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.common.MapBackedConfigSource;

/**
 * Points the datasource at an {@link EmbeddedPostgresServer} when {@code quarkus.datasource.jdbc.url} is not
 * configured, using {@code clusterlink.embedded-postgres.*} (see {@code ClusterlinkConfig.EmbeddedPostgres}).
 * <p>
 * The server starts only while Quarkus builds the runtime configuration of a starting application: the generated
 * application class ({@code ApplicationImpl.doStart}) switches {@link ExecutionMode} to {@code RUNTIME_INIT} right
 * before it does. Quarkus also evaluates configuration, this factory included, during augmentation (the Maven build,
 * and the bootstrap of dev mode and {@code @QuarkusTest}) and for the test class' own view of the configuration; the
 * mode is {@code UNSET} there, so no server starts. The factory is not {@code @StaticInitSafe}, so the static-init
 * configuration never calls it.
 * <p>
 * One server per JVM: dev-mode restarts and {@code @QuarkusTest} profiles load this class again in new class
 * loaders, so the running server's URL and the path of its password file are kept in system properties, not static
 * fields (the password itself is read from its file each time, never kept in a property).
 */
public class EmbeddedPostgresConfigSourceFactory implements ConfigSourceFactory {

    /** The name of the configuration source that points the datasource at the embedded server. */
    public static final String SOURCE_NAME = "EmbeddedPostgresConfigSource";

    private static final String DATABASE = "clusterlink";

    private static final String JDBC_URL = "quarkus.datasource.jdbc.url";
    private static final String PREFIX = "clusterlink.embedded-postgres.";
    private static final String RUNNING_URL = "io.clusterlink.embedded-postgres.url";
    private static final String RUNNING_PASSWORD_FILE = "io.clusterlink.embedded-postgres.password-file";
    /** Below application.properties (250), so explicit datasource settings win. */
    private static final int ORDINAL = 50;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        if (value(context, JDBC_URL).isPresent() || ExecutionMode.current() != ExecutionMode.RUNTIME_INIT) {
            return List.of();
        }
        String url;
        Path passwordFile;
        // a string constant is interned, so this lock is shared with copies of this class in other class loaders
        synchronized (RUNNING_URL) {
            if (System.getProperty(RUNNING_URL) == null) {
                EmbeddedPostgresServer server = start(context);
                System.setProperty(RUNNING_PASSWORD_FILE, server.passwordFile().toString());
                System.setProperty(RUNNING_URL, server.jdbcUrl(DATABASE));
            }
            url = System.getProperty(RUNNING_URL);
            passwordFile = Path.of(System.getProperty(RUNNING_PASSWORD_FILE));
        }
        return List.of(datasource(url, readPassword(passwordFile)));
    }

    /** The datasource settings of a running embedded server, in a source named {@link #SOURCE_NAME}. */
    static ConfigSource datasource(String url, String password) {
        return new DatasourceSource(Map.of(
                JDBC_URL, url,
                "quarkus.datasource.username", EmbeddedPostgresServer.USER,
                "quarkus.datasource.password", password));
    }

    private static String readPassword(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IllegalStateException("Could not read the password of the embedded PostgreSQL: " + e.getMessage(),
                    e);
        }
    }

    private static EmbeddedPostgresServer start(ConfigSourceContext context) {
        int port = Integer.parseInt(value(context, PREFIX + "port").orElse("0"));
        boolean ephemeral = Boolean.parseBoolean(value(context, PREFIX + "ephemeral").orElse("false"));
        Path dataDir = Path.of(value(context, PREFIX + "data-dir").orElse("data/postgres"));
        EmbeddedPostgresServer server = null;
        try {
            server = ephemeral
                    ? EmbeddedPostgresServer.startEphemeral(port)
                    : EmbeddedPostgresServer.start(dataDir, port);
            server.createDatabaseIfMissing(DATABASE);
            return server;
        } catch (IOException | SQLException | RuntimeException e) {
            if (server != null) {
                server.stop();
            }
            throw new IllegalStateException("Could not start the embedded PostgreSQL (configure " + JDBC_URL
                    + " to use an external database): " + e.getMessage(), e);
        }
    }

    /** Named {@link #SOURCE_NAME} exactly, so that the source of a value tells that it is the embedded server's. */
    private static final class DatasourceSource extends MapBackedConfigSource {

        private static final long serialVersionUID = 1L;

        DatasourceSource(Map<String, String> properties) {
            super(SOURCE_NAME, properties, ORDINAL);
        }
    }

    /** The context resolves profiles ({@code %test.name}) and expressions. */
    private static Optional<String> value(ConfigSourceContext context, String name) {
        return Optional.ofNullable(context.getValue(name).getValue());
    }
}
