package io.clusterlink.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import io.clusterlink.testing.KafkaClustersResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A fleet session on the service's PostgreSQL: one that failed opens again at the next check (a new
 * epoch), one that was ended (the instance left) never does, so a stopped instance is no member.
 */
@QuarkusTest
@QuarkusTestResource(KafkaClustersResource.class)
class FleetSessionTest {

    @Test
    void aSessionThatEndedIsNeverOpenedAgainWhileAClosedOneIs() throws Exception {
        // Given two sessions of two instances on the service's database
        try (FleetSession leaving = session("leaving-instance"); FleetSession other = session("other-instance")) {
            assertThat(leaving.confirm()).isEqualTo(1);
            assertThat(other.confirm()).isEqualTo(1);
            assertThat(other.members()).contains("leaving-instance", "other-instance");

            // When one closes after a failed call, and is checked again
            leaving.close();
            long reopened = leaving.confirm();

            // Then it is a member again, in a new session
            assertThat(reopened).isEqualTo(2);
            assertThat(other.members()).contains("leaving-instance");

            // When it leaves, and the check runs once more (as it may while the instance stops)
            leaving.end();
            long afterLeaving = leaving.confirm();

            // Then it stays gone
            assertThat(afterLeaving).isEqualTo(-1);
            assertThat(leaving.open()).isFalse();
            assertThat(other.members()).doesNotContain("leaving-instance").contains("other-instance");
        }
    }

    private static FleetSession session(String instanceId) {
        var config = ConfigProvider.getConfig();
        return new FleetSession(config.getValue("quarkus.datasource.jdbc.url", String.class),
                config.getValue("quarkus.datasource.username", String.class),
                config.getOptionalValue("quarkus.datasource.password", String.class),
                instanceId, Duration.ofSeconds(10));
    }
}
