package io.clusterlink.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.clusterlink.store.embedded.EmbeddedPostgresServer;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class EmbeddedDatasourceTest {

    @Inject
    AgroalDataSource dataSource;

    @ConfigProperty(name = "quarkus.datasource.password")
    String datasourcePassword;

    @Test
    void datasourceWithoutJdbcUrlUsesEmbeddedClusterlinkDatabase() throws Exception {
        // Given: no quarkus.datasource.jdbc.url in the test configuration

        // When
        String database;
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("select current_database()")) {
            rows.next();
            database = rows.getString(1);
        }

        // Then
        assertThat(database).isEqualTo("clusterlink");
        assertThat(dataSource.getConfiguration().connectionPoolConfiguration().connectionFactoryConfiguration()
                .jdbcUrl()).startsWith("jdbc:postgresql://127.0.0.1:");
    }

    @Test
    void embeddedDatabaseAsksForThePasswordKeptInItsDataDirectory() throws Exception {
        // Given
        String url = dataSource.getConfiguration().connectionPoolConfiguration().connectionFactoryConfiguration()
                .jdbcUrl();
        Path passwordFile = Path.of(System.getProperty("io.clusterlink.embedded-postgres.password-file"));

        // When
        SQLException refused = catchThrowableOfType(SQLException.class,
                () -> DriverManager.getConnection(url, EmbeddedPostgresServer.USER, "wrong").close());

        // Then
        assertThat(refused.getSQLState()).isEqualTo("28P01");
        assertThat(datasourcePassword).isEqualTo(Files.readString(passwordFile).strip());
        try (Connection connection = DriverManager.getConnection(url, EmbeddedPostgresServer.USER,
                datasourcePassword)) {
            assertThat(connection.isValid(5)).isTrue();
        }
    }
}
