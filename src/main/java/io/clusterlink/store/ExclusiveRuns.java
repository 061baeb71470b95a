package io.clusterlink.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

/**
 * Work that runs on one instance of the fleet at a time, whichever instance took the request: a
 * PostgreSQL session-level advisory lock, held on a connection of the pool for as long as the work
 * runs. Locks of this kind take two 32-bit keys, a key space PostgreSQL keeps apart from the
 * single-key locks with which the fleet assigns work, so the two never meet. An instance that dies
 * while it holds one loses it with its connection.
 */
@ApplicationScoped
public class ExclusiveRuns {

    private static final Logger LOG = Logger.getLogger(ExclusiveRuns.class);

    /** What runs alone; its code is the first key of its locks. */
    public enum Kind {
        /** A truncate-and-restore of one stopped mirror (its id): two would set its records aside twice. */
        TRUNCATE_AND_RESTORE(0x7472);

        private final int code;

        Kind(int code) {
            this.code = code;
        }
    }

    /** The database did not answer: whether the work runs elsewhere is unknown. */
    public static final class Unavailable extends RuntimeException {
        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final DataSource dataSource;

    ExclusiveRuns(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Takes the run of {@code kind} for {@code id} if no instance has it.
     *
     * @return the run, to close when the work is done; empty when another run of it holds it
     * @throws Unavailable when the database does not answer
     */
    public Optional<Run> tryTake(Kind kind, long id) {
        int first = kind.code << 16 ^ (int) (id >>> 32);
        int second = (int) id;
        Connection connection = null;
        try {
            connection = dataSource.getConnection();
            if (call(connection, "select pg_try_advisory_lock(?, ?)", first, second)) {
                return Optional.of(new Run(connection, first, second));
            }
            connection.close();
            return Optional.empty();
        } catch (SQLException e) {
            closeQuietly(connection);
            throw new Unavailable("The service's database does not answer: " + e.getMessage(), e);
        }
    }

    private static boolean call(Connection connection, String sql, int first, int second) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement(sql)) {
            s.setInt(1, first);
            s.setInt(2, second);
            try (ResultSet r = s.executeQuery()) {
                return r.next() && r.getBoolean(1);
            }
        }
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.debugf("Closing a connection failed: %s", e.getMessage());
            }
        }
    }

    /** A run held: its lock, on its connection, until {@link #close()}. */
    public static final class Run implements AutoCloseable {
        private final Connection connection;
        private final int first;
        private final int second;

        private Run(Connection connection, int first, int second) {
            this.connection = connection;
            this.first = first;
            this.second = second;
        }

        /**
         * Gives the lock back before the connection returns to the pool (the pool keeps the session,
         * and the session would keep the lock). If that fails, the connection is discarded, and the
         * lock ends with its session.
         */
        @Override
        public void close() {
            try {
                call(connection, "select pg_advisory_unlock(?, ?)", first, second);
                connection.close();
            } catch (SQLException e) {
                LOG.warnf("An exclusive run's lock could not be given back (%s); its connection is discarded",
                        e.getMessage());
                try {
                    connection.abort(Runnable::run);
                } catch (SQLException ex) {
                    closeQuietly(connection);
                }
            }
        }
    }
}
