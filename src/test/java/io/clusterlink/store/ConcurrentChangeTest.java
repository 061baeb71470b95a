package io.clusterlink.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.clusterlink.link.ClusterLinkException;
import io.quarkus.test.junit.QuarkusTest;

/** A store change that loses an optimistic-lock race reaches its caller as a conflict to retry, not a server error. */
@QuarkusTest
class ConcurrentChangeTest {

    @Inject
    AgroalDataSource dataSource;

    @Inject
    LinkStore store;

    @Test
    void aMirrorChangedByAnotherTransactionMeanwhileIsAConflict() throws Exception {
        // Given a mirror row, and another transaction that changed it and holds the row, uncommitted
        long mirrorId = insertMirror();
        try (Connection other = dataSource.getConnection()) {
            other.setAutoCommit(false);
            try (PreparedStatement s = other.prepareStatement(
                    "update mirror_topics set version = version + 1 where id = ?")) {
                s.setLong(1, mirrorId);
                s.executeUpdate();
            }

            // When the store changes the same mirror (it read the old version; its write waits for the row)
            CompletableFuture<Void> change = CompletableFuture.runAsync(() -> store.note(mirrorId, "a note"));
            await().atMost(Duration.ofSeconds(30)).until(() -> waitingForALock() || change.isDone());
            other.commit();
            Throwable failure = catchThrowable(() -> change.get(30, TimeUnit.SECONDS));

            // Then the caller gets a conflict
            assertThat(failure).isInstanceOf(ExecutionException.class);
            assertThat(failure.getCause()).isInstanceOf(ClusterLinkException.Conflict.class)
                    .hasMessageContaining("changed concurrently");
            assertThat(((ClusterLinkException) failure.getCause()).status()).isEqualTo(409);
        } finally {
            deleteLink(mirrorId);
        }
    }

    private boolean waitingForALock() throws Exception {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("select count(*) from pg_locks where not granted")) {
            r.next();
            return r.getLong(1) > 0;
        }
    }

    private void deleteLink(long mirrorId) throws Exception {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("delete from cluster_links where id = (select link_id from mirror_topics where id = "
                    + mirrorId + ")");
        }
    }

    private long insertMirror() throws Exception {
        String name = "conflict-" + UUID.randomUUID().toString().substring(0, 8);
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            long linkId;
            try (ResultSet r = s.executeQuery("insert into cluster_links (cluster_id, link_name, cluster_link_id, "
                    + "configs, link_state, link_error, created_at, updated_at) values ('c', '" + name + "', '" + name
                    + "', '{}', 'ACTIVE', 'NO_ERROR', now(), now()) returning id")) {
                r.next();
                linkId = r.getLong(1);
            }
            try (ResultSet r = s.executeQuery("insert into mirror_topics (link_id, cluster_id, mirror_topic_name, "
                    + "source_topic_name, num_partitions, mirror_status, mirror_topic_error, state_time_ms, "
                    + "start_offsets, created_at) values (" + linkId + ", 'c', '" + name + "', '" + name
                    + "', 1, 'PAUSED', 'NO_ERROR', 0, '[0]', now()) returning id")) {
                r.next();
                return r.getLong(1);
            }
        }
    }
}
