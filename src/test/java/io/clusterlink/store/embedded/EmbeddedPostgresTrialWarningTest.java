package io.clusterlink.store.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.quarkus.runtime.LaunchMode;
import io.smallrye.config.SmallRyeConfigBuilder;

class EmbeddedPostgresTrialWarningTest {

    /** The source of the datasource URL as the configuration reports it when the embedded server provides it. */
    private static final String EMBEDDED = new SmallRyeConfigBuilder()
            .withSources(EmbeddedPostgresConfigSourceFactory.datasource("jdbc:postgresql://127.0.0.1:5432/x", "p"))
            .build()
            .getConfigValue("quarkus.datasource.jdbc.url")
            .getSourceName();

    @Test
    void packagedServiceOnTheEmbeddedDatabaseIsWarned() {
        assertThat(EmbeddedPostgresTrialWarning.isDue(LaunchMode.NORMAL, List.of("prod"), EMBEDDED)).isTrue();
        assertThat(EmbeddedPostgresTrialWarning.isDue(LaunchMode.NORMAL, List.of("staging"), EMBEDDED)).isTrue();
    }

    @Test
    void demoDevModeAndTestsAreNotWarned() {
        assertThat(EmbeddedPostgresTrialWarning.isDue(LaunchMode.NORMAL, List.of("demo"), EMBEDDED)).isFalse();
        assertThat(EmbeddedPostgresTrialWarning.isDue(LaunchMode.DEVELOPMENT, List.of("dev"), EMBEDDED)).isFalse();
        assertThat(EmbeddedPostgresTrialWarning.isDue(LaunchMode.TEST, List.of("test"), EMBEDDED)).isFalse();
    }

    @Test
    void externalDatabaseIsNotWarned() {
        assertThat(EmbeddedPostgresTrialWarning.isDue(LaunchMode.NORMAL, List.of("prod"),
                "EnvConfigSource")).isFalse();
    }
}
