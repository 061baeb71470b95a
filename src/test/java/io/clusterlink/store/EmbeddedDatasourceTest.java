package io.clusterlink.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class EmbeddedDatasourceTest {

    @Inject
    AgroalDataSource dataSource;

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
}
