package io.clusterlink.store.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class PostgresBinariesTest {

    @Test
    void newDataDirectoriesGetPostgres18() throws Exception {
        // When
        Path current = PostgresBinaries.current();

        // Then
        assertThat(PostgresBinaries.majorVersion(current)).isEqualTo("18");
        assertThat(PostgresBinaries.forMajorVersion("18")).isEqualTo(current);
    }

    @Test
    void dataDirectoriesOfEarlierVersionsGetTheBinariesOfTheirMajorVersion() throws Exception {
        // When
        Path legacy = PostgresBinaries.forMajorVersion("14");

        // Then
        assertThat(legacy).isNotEqualTo(PostgresBinaries.current());
        assertThat(PostgresBinaries.majorVersion(legacy)).isEqualTo("14");
    }

    @Test
    void aMajorVersionWithoutBinariesIsRefusedWithWhatToDo() {
        // When / Then
        assertThatThrownBy(() -> PostgresBinaries.forMajorVersion("12"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("created by PostgreSQL 12")
                .hasMessageContaining("new data directories use PostgreSQL 18")
                .hasMessageContaining("move it aside");
    }
}
