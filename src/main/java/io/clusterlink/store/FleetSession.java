package io.clusterlink.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import org.jboss.logging.Logger;
import org.postgresql.Driver;

/**
 * This instance's membership in the fleet: one PostgreSQL session, on its own connection outside
 * the pool, that holds the session-level advisory locks of the work this instance owns. PostgreSQL
 * does the membership and the failure detection: the fleet's members are the sessions named
 * {@value #PREFIX}{@code <instance id>}, and a session that ends (a process that exits or is
 * killed, a connection that breaks) loses every lock it held at once. The server is told to probe
 * the connection (TCP keepalive), so a peer that vanishes without closing it is found out in
 * seconds too.
 * <p>
 * Not thread-safe on its own: {@code Fleet} serialises the calls.
 */
public final class FleetSession implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(FleetSession.class);
    public static final String PREFIX = "clusterlink:";

    private final String url;
    private final Properties properties = new Properties();
    private final String instanceId;
    private final int timeoutSeconds;
    private Connection connection;
    private long epoch;
    /** Left for good: no call opens a session again. */
    private boolean ended;

    public FleetSession(String url, String user, Optional<String> password, String instanceId, Duration timeout) {
        this.url = url;
        this.instanceId = instanceId;
        this.timeoutSeconds = (int) Math.max(1, timeout.toSeconds());
        properties.setProperty("user", user);
        password.ifPresent(p -> properties.setProperty("password", p));
        properties.setProperty("ApplicationName", PREFIX + instanceId);
        properties.setProperty("tcpKeepAlive", "true");
        properties.setProperty("connectTimeout", Integer.toString(timeoutSeconds));
        properties.setProperty("loginTimeout", Integer.toString(timeoutSeconds));
        properties.setProperty("socketTimeout", Integer.toString(timeoutSeconds));
    }

    public String instanceId() {
        return instanceId;
    }

    /** False once the session ended (closed, or a call failed). */
    public boolean open() {
        return connection != null;
    }

    /**
     * Confirms the session with a round trip, opening it first when there is none; returns its
     * epoch (a new epoch is a new session: every lock of an earlier one is gone), or -1 when the
     * database did not answer (the session is closed then).
     */
    public long confirm() {
        if (ended) {
            return -1;
        }
        try {
            if (connection == null) {
                connection = new Driver().connect(url, properties);
                if (connection == null) {
                    throw new SQLException("the PostgreSQL driver does not take " + url);
                }
                connection.setAutoCommit(true);
                try (Statement s = connection.createStatement()) {
                    // The server probes an idle connection and ends the session of a peer that is gone.
                    s.execute("set tcp_keepalives_idle = 2");
                    s.execute("set tcp_keepalives_interval = 1");
                    s.execute("set tcp_keepalives_count = 3");
                }
                epoch++;
                LOG.infof("Instance %s joined the fleet (session %d)", instanceId, epoch);
            }
            try (Statement s = connection.createStatement()) {
                s.setQueryTimeout(timeoutSeconds);
                s.execute("select 1");
            }
            return epoch;
        } catch (SQLException e) {
            LOG.warnf("The fleet session of instance %s does not answer: %s", instanceId, e.getMessage());
            close();
            return -1;
        }
    }

    /** Takes a lock now if no other session holds it; false also when the session is gone. */
    public boolean tryLock(long key) {
        return lockCall("select pg_try_advisory_lock(?)", key);
    }

    /** Gives a lock back. */
    public void unlock(long key) {
        lockCall("select pg_advisory_unlock(?)", key);
    }

    private boolean lockCall(String sql, long key) {
        if (connection == null) {
            return false;
        }
        try (PreparedStatement s = connection.prepareStatement(sql)) {
            s.setQueryTimeout(timeoutSeconds);
            s.setLong(1, key);
            try (ResultSet r = s.executeQuery()) {
                return r.next() && r.getBoolean(1);
            }
        } catch (SQLException e) {
            LOG.warnf("Advisory lock call failed for instance %s: %s", instanceId, e.getMessage());
            close();
            return false;
        }
    }

    /** The instance ids of the fleet's live sessions (this one included once it is open). */
    public List<String> members() throws SQLException {
        List<String> members = new ArrayList<>();
        try (PreparedStatement s = connection().prepareStatement("select application_name from pg_stat_activity "
                + "where datname = current_database() and application_name like ? order by application_name")) {
            s.setQueryTimeout(timeoutSeconds);
            s.setString(1, PREFIX + "%");
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    members.add(r.getString(1).substring(PREFIX.length()));
                }
            }
        }
        return members;
    }

    /** Every advisory lock held in this database by a fleet session, by key, with its holder's instance id. */
    public Map<Long, String> holders() throws SQLException {
        Map<Long, String> holders = new HashMap<>();
        try (PreparedStatement s = connection().prepareStatement("select (l.classid::bigint << 32) | l.objid::bigint, "
                + "a.application_name from pg_locks l join pg_stat_activity a on a.pid = l.pid "
                + "where l.locktype = 'advisory' and l.granted and l.objsubid = 1 "
                + "and l.database = (select oid from pg_database where datname = current_database()) "
                + "and a.application_name like ?")) {
            s.setQueryTimeout(timeoutSeconds);
            s.setString(1, PREFIX + "%");
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    holders.put(r.getLong(1), r.getString(2).substring(PREFIX.length()));
                }
            }
        }
        return holders;
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            throw new SQLException("the fleet session is not open");
        }
        return connection;
    }

    /**
     * Leaves the fleet for good: the session ends (PostgreSQL releases its locks) and no later
     * {@link #confirm} opens another, so an instance that is stopping never shows up as a member again.
     */
    public void end() {
        ended = true;
        close();
    }

    /** Ends the session: PostgreSQL releases its locks. A later {@link #confirm} opens a new one. */
    @Override
    public void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.debugf("Closing the fleet session: %s", e.getMessage());
            }
            connection = null;
        }
    }
}
