package io.clusterlink.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Optional;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import io.clusterlink.testing.KafkaClustersResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Exclusive runs on the service's PostgreSQL, seen from this instance (the service's pool) and from
 * another instance (its own connections to the same database): a run of one kind and id is held by
 * one of them at a time, given back when closed, and lost when its holder's session ends.
 */
@QuarkusTest
@QuarkusTestResource(KafkaClustersResource.class)
class ExclusiveRunsTest {

    private static final ExclusiveRuns.Kind RESTORE = ExclusiveRuns.Kind.TRUNCATE_AND_RESTORE;

    @Inject
    ExclusiveRuns here;

    @Test
    void aRunIsHeldByOneInstanceAtATimeAndGivenBackWhenClosed() {
        ExclusiveRuns otherInstance = new ExclusiveRuns(otherInstancesConnections());

        // Given a run taken here
        Optional<ExclusiveRuns.Run> taken = here.tryTake(RESTORE, 7001);
        assertThat(taken).isPresent();
        try {
            // Then neither another instance nor this one gets it again, while other ids are free
            assertThat(otherInstance.tryTake(RESTORE, 7001)).isEmpty();
            assertThat(here.tryTake(RESTORE, 7001)).isEmpty();
            try (ExclusiveRuns.Run other = otherInstance.tryTake(RESTORE, 7002).orElseThrow()) {
                assertThat(here.tryTake(RESTORE, 7002)).isEmpty();
            }
        } finally {
            taken.get().close();
        }

        // When it is closed, the other instance gets it (and the id it gave back is free again)
        try (ExclusiveRuns.Run other = otherInstance.tryTake(RESTORE, 7001).orElseThrow()) {
            assertThat(here.tryTake(RESTORE, 7001)).isEmpty();
        }
        try (ExclusiveRuns.Run again = here.tryTake(RESTORE, 7002).orElseThrow()) {
            assertThat(again).isNotNull();
        }
    }

    @Test
    void aRunIsLostWithTheSessionOfAnInstanceThatDied() throws Exception {
        // Given a run held by another instance
        ExclusiveRuns otherInstance = new ExclusiveRuns(otherInstancesConnections());
        ExclusiveRuns.Run held = otherInstance.tryTake(RESTORE, 7003).orElseThrow();
        assertThat(here.tryTake(RESTORE, 7003)).isEmpty();

        // When its database session ends without a word (the process was killed)
        try (Connection c = otherInstancesConnections().getConnection(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("select pg_terminate_backend(pid) from pg_locks "
                        + "where locktype = 'advisory' and objsubid = 2 and objid = 7003 and granted")) {
            assertThat(r.next()).isTrue();
            assertThat(r.getBoolean(1)).isTrue();
        }

        // Then the run is free at once
        long deadline = System.nanoTime() + 10_000_000_000L;
        Optional<ExclusiveRuns.Run> taken = here.tryTake(RESTORE, 7003);
        while (taken.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            taken = here.tryTake(RESTORE, 7003);
        }
        assertThat(taken).isPresent();
        taken.get().close();
        held.close(); // its connection is gone: nothing to give back, and no failure
    }

    private static DataSource otherInstancesConnections() {
        var config = ConfigProvider.getConfig();
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(config.getValue("quarkus.datasource.jdbc.url", String.class));
        ds.setUser(config.getValue("quarkus.datasource.username", String.class));
        config.getOptionalValue("quarkus.datasource.password", String.class).ifPresent(ds::setPassword);
        return ds;
    }
}
