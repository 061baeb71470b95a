package io.clusterlink.testing;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Everything logged in this JVM while it is open, one line per record: the message, its
 * parameters and the exception, as text. For tests that check what must never be logged.
 */
public final class CapturedLog extends Handler implements AutoCloseable {

    private final List<String> lines = new CopyOnWriteArrayList<>();

    private CapturedLog() {
    }

    /** Starts capturing at the root logger; {@link #close()} stops. */
    public static CapturedLog start() {
        CapturedLog log = new CapturedLog();
        Logger.getLogger("").addHandler(log);
        return log;
    }

    /** The records captured so far. */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void publish(LogRecord record) {
        Object[] params = record.getParameters();
        lines.add(record.getMessage() + (params == null ? "" : " " + Arrays.asList(params))
                + (record.getThrown() == null ? "" : " " + record.getThrown()));
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        Logger.getLogger("").removeHandler(this);
    }
}
