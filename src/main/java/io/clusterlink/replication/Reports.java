package io.clusterlink.replication;

import java.util.concurrent.ConcurrentLinkedQueue;

import org.jboss.logging.Logger;

/**
 * Reports of the copy threads (a mirror failed, records were skipped), queued by any thread and
 * applied in order by one. A report is removed only once it was applied: one that fails (the
 * database is briefly away) stays first and is tried again on the next run, so none is lost and
 * none overtakes an earlier one.
 */
final class Reports {

    private static final Logger LOG = Logger.getLogger(Reports.class);

    /** {@code what} names the report in logs. */
    private record Report(String what, Runnable action) {
    }

    private final ConcurrentLinkedQueue<Report> queue = new ConcurrentLinkedQueue<>();

    void add(String what, Runnable action) {
        queue.add(new Report(what, action));
    }

    /** Applies the queued reports in order; returns false if one failed and waits for the next run. */
    boolean applyAll() {
        Report report;
        while ((report = queue.peek()) != null) {
            try {
                report.action().run();
            } catch (RuntimeException e) {
                LOG.warnf("Cannot record the %s yet (%s); trying again", report.what(), e.getMessage());
                return false;
            }
            queue.poll();
        }
        return true;
    }

    int pending() {
        return queue.size();
    }
}
