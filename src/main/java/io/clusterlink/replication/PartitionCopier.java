package io.clusterlink.replication;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.LongSupplier;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.LogTruncationException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.record.CompressionType;
import org.jboss.logging.Logger;

import io.clusterlink.link.Fillers;
import io.clusterlink.link.MirrorTopicError;
import io.clusterlink.service.RestartCause;

/**
 * One copy thread: a source consumer and the destination writers, touched only by this thread,
 * copying a set of mirror partitions. Each mirror partition has exactly one copy thread. A
 * partition is started (verified, aligned) off this thread by the {@link Starter}; then its records
 * are written at the source offsets, gaps filled, every acknowledgement checked.
 * <p>
 * Failures stay with their partition: a write that fails stops the writer's generation (see
 * {@link Writer}); each of its partitions waits until nothing of it is in flight and starts again,
 * after the fence interval and from its verified end offset. A record the mirror can never hold
 * fails its mirror with the offset and the reason; a destination that refuses or does not
 * acknowledge writes is reported on the mirror while the partition retries with backoff. Nothing
 * on this thread waits on a remote call, so commands (pause, halt, failover) are served at once.
 */
final class PartitionCopier implements Runnable {

    private static final Logger LOG = Logger.getLogger(PartitionCopier.class);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration IDLE_WAIT = Duration.ofMillis(50);
    /** Fetching pauses while a writer's buffer is fuller than this, and resumes below the lower mark. */
    private static final double BUFFER_HIGH = 0.75;
    private static final double BUFFER_LOW = 0.5;
    /** Records copied before a partition whose source compression was unknown starts again to choose. */
    private static final long CODEC_SAMPLE = 1_000;
    /** How often the clients' sizes are compared with this thread's share of the instance's budget. */
    private static final Duration RESIZE_CHECK_INTERVAL = Duration.ofSeconds(1);
    /** How often gated partitions have their source topic checked (while it is missing, say). */
    private static final Duration GATED_CHECK_INTERVAL = Duration.ofMillis(100);

    /** The clients of one copy thread. */
    interface Clients {
        /** A new source consumer for a thread of {@code partitions} partitions. */
        Consumer<byte[], byte[]> sourceConsumer(int partitions);

        /**
         * A new producer (one generation) that compresses with {@code codec}, with {@code bufferMemory}
         * of buffers for batches to {@code partitions} partitions or so.
         */
        Producer<byte[], byte[]> producer(CompressionType codec, int generation, long bufferMemory, int partitions);

        /** A new producer's {@code buffer.memory}: this thread's share of the instance's budget now. */
        long bufferMemory();

        /**
         * A new consumer's {@code fetch.max.bytes}, this thread's share of the instance's budget
         * now, divided by {@code partitions}: its {@code max.partition.fetch.bytes}, so that one
         * fetch brings records of many partitions rather than many batches of one.
         */
        default long partitionFetchBytes(int partitions) {
            return Integer.MAX_VALUE;
        }

        /** The largest record batch the destination takes in one request. */
        int maxBatchBytes();

        /** Source topic ids by name, asynchronously; a topic that does not exist is left out. */
        CompletableFuture<Map<String, String>> sourceTopicIds(Set<String> topics);

        /** This thread's producers hold {@code delta} more (or fewer) bytes of writes (the instance's budget). */
        default void buffered(long delta) {
        }

        /** True while the instance's producers together hold all the writes its budget allows. */
        default boolean budgetFull() {
            return false;
        }
    }

    /**
     * @param fenceInterval wait after a failed attempt before a partition starts again
     * @param maxRetryBackoff the longest wait between failed attempts of one partition
     * @param silence records that arrive after this long without any are written only after a new
     *                source topic id check (the topic may have been deleted and re-created meanwhile)
     * @param topicCheckInterval how often the source topic ids are checked while copying
     * @param stuckAfter writes unacknowledged for this long are reported on the mirror
     */
    record Settings(Duration fenceInterval, Duration maxRetryBackoff, Duration silence, Duration topicCheckInterval,
            Duration stuckAfter) {
    }

    enum Phase {
        /** Waiting to be started (at {@code retryAt}). */
        PENDING,
        /** The starter is verifying or aligning it. */
        STARTING,
        COPYING,
        /** Fetched records wait for a source topic id check. */
        GATED,
        /** Waiting for its writes to land before it continues with another writer (codec). */
        SWITCHING,
        /** Sends nothing; waits until nothing is in flight, then starts again, fails or is removed. */
        DRAINING
    }

    /** One mirror partition on this thread. */
    final class Part {
        final MirrorPartition spec;
        final TopicPartition tp;
        Long stop;
        Phase phase = Phase.PENDING;
        long retryAt;
        int failedAttempts;
        long next;
        long attemptStart;
        AckTracker acks;
        CompressionType codec = CompressionType.NONE;
        CompressionType switchTo;
        boolean atStop;
        /** The consumer must be positioned at {@code next} before it fetches for this partition again. */
        boolean needsSeek;
        long lastRecordAt;
        /**
         * The next records are taken without a topic check: they come from a fetch made after the
         * topic was checked (a start, a check that lifted a gate).
         */
        boolean checked;
        long gatedAt;
        Long truncatedAt;
        /** Set when the partition must not start again: the mirror fails once nothing is in flight. */
        Fatal fatal;
        CompletableFuture<Void> removal;
        boolean problemReported;
        /** The reported problem is a refused write: it is cleared once a write lands, not by a new start. */
        boolean writeRefused;
        /** The start could not tell whether the source is compressed: it starts again after some records. */
        boolean codecUndecided;
        /** The partition drains to start again although nothing failed (a codec to choose, records gone): at once. */
        boolean restartAtOnce;
        long lastAcked = -1;
        long lastAckProgressAt;
        /** Records of a fetch held back by the link's throttle: written before anything newer is fetched. */
        List<ConsumerRecord<byte[], byte[]>> held;
        /** Why the partition drains to start again, when not a failed write (metrics). */
        RestartCause restartCause;

        Part(MirrorPartition spec) {
            this.spec = spec;
            this.tp = spec.source();
            this.stop = spec.stopOffset();
        }

        long mirrorId() {
            return spec.mirrorId();
        }
    }

    record Fatal(MirrorTopicError error, String message) {
    }

    private final String name;
    private final Clients clients;
    private final Starter starter;
    private final CopyListener listener;
    private final Settings settings;
    private final LongSupplier clock;
    private final Throttle throttle;

    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final Object signal = new Object();
    private volatile boolean running = true;
    private volatile boolean aborted;
    private volatile boolean closed;

    // Owned by the copy thread.
    private Consumer<byte[], byte[]> consumer;
    private final Map<TopicPartition, Part> parts = new HashMap<>();
    private final Map<CompressionType, Writer> writers = new EnumMap<>(CompressionType.class);
    /** Writers whose buffers outgrew (or fell behind) this thread's share: closed once no partition uses them. */
    private final List<Writer> retired = new ArrayList<>();
    /** The consumer's {@code max.partition.fetch.bytes}. */
    private long consumerFetchBytes;
    private long lastResizeCheckAt;
    private int generation;
    private boolean backpressure;
    /** Bytes of writes this thread's producers hold, as last reported to the budget. */
    private long reportedBuffered;
    private CompletableFuture<Map<String, String>> topicCheck;
    private long topicCheckIssuedAt;
    private long lastTopicCheckAt = Long.MIN_VALUE / 2;

    PartitionCopier(String name, Clients clients, Starter starter, CopyListener listener, Settings settings,
            LongSupplier clock, Throttle throttle) {
        this.throttle = throttle;
        this.name = name;
        this.clients = clients;
        this.starter = starter;
        this.listener = listener;
        this.settings = settings;
        this.clock = clock;
    }

    String name() {
        return name;
    }

    // ---- commands, from any thread ----

    void add(MirrorPartition partition) {
        add(List.of(partition));
    }

    /** Adds partitions in one command, so that the copy thread starts them together (one start, not one each). */
    void add(List<MirrorPartition> partitions) {
        submit(() -> {
            for (MirrorPartition partition : partitions) {
                Part existing = parts.get(partition.source());
                if (existing != null && existing.mirrorId() == partition.mirrorId()) {
                    continue;
                }
                if (existing != null) {
                    LOG.warnf("Copy thread %s: partition %s now belongs to mirror %d instead of %d", name,
                            partition.source(), partition.mirrorId(), existing.mirrorId());
                    existing.spec.progress().stopped();
                }
                Part p = new Part(partition);
                partition.progress().stopOffset(partition.stopOffset());
                parts.put(partition.source(), p);
            }
        });
    }

    void updateStop(TopicPartition source, Long stopOffset) {
        submit(() -> {
            Part p = parts.get(source);
            if (p != null) {
                p.stop = stopOffset;
                p.spec.progress().stopOffset(stopOffset);
                if (stopOffset == null && p.atStop) {
                    p.atStop = false;
                }
            }
        });
    }

    /** Removes partitions; completes once nothing of theirs is in flight or being started. */
    CompletableFuture<Void> remove(Set<TopicPartition> sources) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        submit(() -> {
            List<CompletableFuture<Void>> removals = new ArrayList<>();
            for (TopicPartition tp : sources) {
                Part p = parts.get(tp);
                if (p != null) {
                    removals.add(beginRemoval(p));
                }
            }
            CompletableFuture.allOf(removals.toArray(CompletableFuture[]::new))
                    .whenComplete((v, e) -> done.complete(null));
        });
        return done;
    }

    void stop() {
        running = false;
        wake();
    }

    /**
     * Like {@link #stop}, but what is in flight is not waited for: the writers are closed at once
     * (their queued writes are dropped; the partitions' next owner fences before writing).
     */
    void abort() {
        aborted = true;
        stop();
    }

    /** A start finished (from the starter's threads). */
    void started(Starter.Result result) {
        submit(() -> onStarted(result));
    }

    private void submit(Runnable command) {
        commands.add(command);
        if (closed) {
            runCommands();
        }
        wake();
    }

    /** Ends an idle wait; a running poll returns within {@link #POLL} anyway. */
    void wake() {
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    // ---- the copy thread ----

    @Override
    public void run() {
        try {
            open();
            while (running) {
                try {
                    step();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    running = false;
                } catch (WakeupException e) {
                    // stop() or an idle wake-up
                } catch (RuntimeException e) {
                    LOG.errorf(e, "Copy thread %s failed; its partitions start again from the mirrors' end offsets",
                            name);
                    restartAll();
                    try {
                        waitFor(settings.fenceInterval());
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        running = false;
                    }
                }
            }
        } finally {
            shutDown();
        }
    }

    /** Creates the source consumer; the copy thread's first step. */
    void open() {
        consumerFetchBytes = clients.partitionFetchBytes(parts.size());
        consumer = clients.sourceConsumer(parts.size());
    }

    void step() throws InterruptedException {
        runCommands();
        long now = clock.getAsLong();
        settleParts(now);
        resize(now);
        startDue(now);
        checkTopics(now);
        writeHeld(now);
        assign();
        // (The consumer copies its assignment and paused set on each call.)
        int assigned = consumer.assignment().size();
        if (assigned == 0 || consumer.paused().size() == assigned) {
            waitFor(IDLE_WAIT);
            return;
        }
        ConsumerRecords<byte[], byte[]> records;
        try {
            records = consumer.poll(POLL);
        } catch (LogTruncationException e) {
            onTruncation(e.divergentOffsets(), e.offsetOutOfRangePartitions().keySet());
            return;
        } catch (OffsetOutOfRangeException e) {
            e.offsetOutOfRangePartitions().keySet().forEach(tp -> restartPart(tp, null));
            return;
        } catch (TopicAuthorizationException e) {
            onSourceRefusal(e.unauthorizedTopics(), "the link may not read the source topic (" + e.getMessage() + ")");
            return;
        }
        now = clock.getAsLong();
        for (TopicPartition tp : records.partitions()) {
            Part p = parts.get(tp);
            if (p != null && p.phase == Phase.COPYING) {
                copy(p, records.records(tp), now);
            }
        }
        updatePositions();
    }

    // ---- starting ----

    private void startDue(long now) {
        List<Starter.Request> due = new ArrayList<>();
        for (Part p : parts.values()) {
            if (p.phase == Phase.PENDING && p.removal == null && p.fatal == null && now >= p.retryAt) {
                p.phase = Phase.STARTING;
                due.add(new Starter.Request(p.spec, p.truncatedAt));
            }
        }
        if (!due.isEmpty()) {
            starter.start(due, this::started);
        }
    }

    private void onStarted(Starter.Result result) {
        Part p = parts.get(result.source());
        if (p == null || p.phase != Phase.STARTING) {
            return;
        }
        if (p.removal != null) {
            finishRemoval(p);
            return;
        }
        LOG.debugf("Copy thread %s: start of %s: %s", name, p.tp, result);
        if (result instanceof Starter.Ready ready) {
            p.codecUndecided = ready.codec() == null;
            p.codec = p.codecUndecided ? CompressionType.NONE : ready.codec();
            Writer writer = writer(p.codec);
            long now = clock.getAsLong();
            p.next = ready.next();
            p.attemptStart = ready.next();
            p.truncatedAt = null;
            p.acks = new AckTracker(p.spec.destination(), p.spec.progress(), writer, ready.next(), this::wake);
            p.spec.progress().restart(ready.next(), p.acks);
            // The start fenced any earlier writer (its end stayed put, or nothing was in flight) and
            // nothing of this attempt is written yet: the partition is quiet until a write fails.
            p.spec.progress().quiet(true);
            p.spec.progress().sourceEnd(ready.sourceEnd());
            p.spec.progress().aligned(true);
            p.lastRecordAt = now;
            p.checked = true;
            p.lastAcked = ready.next();
            p.lastAckProgressAt = now;
            p.atStop = false;
            p.held = null;
            p.phase = Phase.COPYING;
            p.needsSeek = true;
            if (!p.writeRefused) {
                clearProblem(p);
            }
        } else if (result instanceof Starter.Failed failed) {
            parts.remove(p.tp);
            p.spec.progress().stopped();
            listener.failed(p.mirrorId(), failed.error(), failed.message());
        } else if (result instanceof Starter.Retry retry) {
            p.spec.progress().restarted(RestartCause.START_RETRIED);
            p.phase = Phase.PENDING;
            p.failedAttempts++;
            p.retryAt = clock.getAsLong() + backoff(p);
            reportProblem(p, retry.reason());
        } else {
            p.phase = Phase.PENDING;
            p.retryAt = clock.getAsLong();
        }
    }

    private long backoff(Part p) {
        long base = Math.max(1, settings.fenceInterval().toMillis());
        long max = settings.maxRetryBackoff().toMillis();
        int exponent = Math.min(Math.max(0, p.failedAttempts - 1), 20);
        return Math.min(max, base << exponent);
    }

    // ---- copying ----

    private void copy(Part p, List<ConsumerRecord<byte[], byte[]>> records, long now) {
        if (p.acks.writer().failed()) {
            return;
        }
        if (!p.checked && now - p.lastRecordAt > settings.silence().toMillis()) {
            gate(p, now, records);
            return;
        }
        p.checked = false;
        write(p, records, now);
    }

    /** Writes what the throttle held back, as far as it lets (the records' fetch was checked already). */
    private void writeHeld(long now) {
        for (Part p : parts.values()) {
            if (p.held != null && p.phase == Phase.COPYING && !p.acks.writer().failed()) {
                List<ConsumerRecord<byte[], byte[]>> held = p.held;
                p.held = null;
                write(p, held, now);
            }
        }
    }

    private void write(Part p, List<ConsumerRecord<byte[], byte[]>> records, long now) {
        Writer writer = p.acks.writer();
        for (int i = 0; i < records.size(); i++) {
            ConsumerRecord<byte[], byte[]> r = records.get(i);
            long offset = r.offset();
            if (offset < p.next) {
                continue;
            }
            if (p.stop != null && offset >= p.stop) {
                p.atStop = true;
                break;
            }
            if (!throttle.tryTake((offset - p.next + 1) * size(r))) {
                p.held = new ArrayList<>(records.subList(i, records.size()));
                break;
            }
            Headers fillerHeaders = offset > p.next ? Fillers.withGap(r.headers(), offset) : null;
            RecordCheck.Verdict verdict = RecordCheck.check(r, fillerHeaders == null ? r.headers() : fillerHeaders,
                    writer.codec(), writer.maxBatchBytes());
            if (verdict instanceof RecordCheck.Never never) {
                fatal(p, MirrorTopicError.UNSUPPORTED_MESSAGE_FORMAT, "The record at source offset " + offset
                        + " of partition " + p.tp.partition() + " cannot be mirrored: " + never.reason());
                break;
            }
            if (verdict instanceof RecordCheck.NeedsCompression compression) {
                LOG.infof("Copy thread %s: the record at source offset %d of %s fits the destination only "
                        + "compressed; %s is written with %s from here on", name, offset, p.tp, p.spec.destination(),
                        compression.codec().name);
                p.switchTo = compression.codec();
                p.phase = Phase.SWITCHING;
                break;
            }
            try {
                for (long o = p.next; o < offset; o++) {
                    writer.send(p.acks, o, r.timestamp(), r.key(), r.value(), fillerHeaders);
                }
                writer.send(p.acks, offset, r.timestamp(), r.key(), r.value(), r.headers());
            } catch (RuntimeException e) {
                refused(p, offset, e);
                break;
            }
            p.next = offset + 1;
            p.lastRecordAt = now;
        }
        if (p.codecUndecided && p.next - p.attemptStart >= CODEC_SAMPLE && p.phase == Phase.COPYING) {
            // Enough records to tell whether the source compresses them: start again to choose.
            p.codecUndecided = false;
            p.restartCause = RestartCause.CODEC_CHOSEN;
            restartPart(p.tp, null);
        }
    }

    /** The bytes a record takes on the wire, near enough for a throttle. */
    private static long size(ConsumerRecord<byte[], byte[]> r) {
        long bytes = Math.max(0, r.serializedKeySize()) + Math.max(0, r.serializedValueSize()) + 16;
        for (Header h : r.headers()) {
            bytes += h.key().length() + (h.value() == null ? 0 : h.value().length);
        }
        return bytes;
    }

    /** The producer refused a record at once: it was not sent, and nothing after it is. */
    private void refused(Part p, long offset, RuntimeException e) {
        if (e instanceof RecordTooLargeException) {
            fatal(p, MirrorTopicError.UNSUPPORTED_MESSAGE_FORMAT, "The record at source offset " + offset
                    + " of partition " + p.tp.partition() + " cannot be mirrored: " + e.getMessage());
            return;
        }
        if (p.acks.writer().failed() || e instanceof IllegalStateException) {
            drain(p);
            return;
        }
        LOG.warnf("Copy thread %s: the producer did not take the record at source offset %d of %s (%s); the "
                + "partition starts again from the mirror's end offset", name, offset, p.tp, e.getMessage());
        reportProblem(p, "The replication producer did not take the record at source offset " + offset + ": "
                + e.getMessage());
        drain(p);
    }

    /**
     * Records after a silence wait for a source topic id check issued after they were fetched (the
     * topic may have been re-created meanwhile): the fetched ones are kept, and written once the
     * check found the same topic; without them (the topic was not found), the partition is fetched
     * again from its next offset afterwards.
     */
    private void gate(Part p, long now, List<ConsumerRecord<byte[], byte[]>> fetched) {
        LOG.debugf("Copy thread %s: %s waits for a source topic check after %d ms without records", name, p.tp,
                now - p.lastRecordAt);
        p.phase = Phase.GATED;
        p.gatedAt = now;
        if (fetched == null) {
            p.needsSeek = true;
            p.held = null;
        } else {
            p.held = new ArrayList<>(fetched);
        }
    }

    private void updatePositions() {
        Set<TopicPartition> assigned = consumer.assignment();
        for (Part p : parts.values()) {
            if (p.phase != Phase.COPYING || p.needsSeek || p.held != null || !assigned.contains(p.tp)) {
                // (Held records are fetched but not written: the consumer's position says nothing yet.)
                continue;
            }
            long position = consumer.position(p.tp);
            PartitionProgress progress = p.spec.progress();
            // Offsets between the last record and the position hold no data (markers, aborted records):
            // they count as copied, and are filled once the next record comes (p.next stays).
            progress.fetchedUpTo(Math.max(p.next, position));
            consumer.currentLag(p.tp).ifPresent(lag -> progress.sourceEnd(position + lag));
        }
    }

    // ---- settling: failed writers, drained partitions, switches, removals, stuck writes ----

    private void settleParts(long now) {
        for (Part p : new ArrayList<>(parts.values())) {
            if (p.acks != null && p.acks.writer().failed()
                    && (p.phase == Phase.COPYING || p.phase == Phase.GATED || p.phase == Phase.SWITCHING)) {
                drain(p);
            }
            if (p.acks != null && p.acks.failure() != null && p.phase == Phase.COPYING) {
                drain(p);
            }
            boolean idle = p.acks == null || p.acks.pending() == 0;
            if (p.removal != null) {
                if (idle && p.phase != Phase.STARTING) {
                    finishRemoval(p);
                }
                continue;
            }
            switch (p.phase) {
                case DRAINING -> {
                    if (idle) {
                        endAttempt(p, now);
                    }
                }
                case SWITCHING -> {
                    if (idle) {
                        switchWriter(p, now);
                    }
                }
                case COPYING -> watch(p, now);
                default -> {
                }
            }
        }
        writers.values().removeIf(w -> w.failed() && parts.values().stream()
                .noneMatch(p -> p.acks != null && p.acks.writer() == w && p.acks.pending() > 0));
        retired.removeIf(w -> {
            boolean used = parts.values().stream().anyMatch(p -> p.acks != null && p.acks.writer() == w);
            if (!used) {
                w.close(Duration.ZERO); // nothing of it is in flight: every partition it wrote moved on
            }
            return !used;
        });
    }

    /** Stops sending for a partition; once nothing is in flight it starts again (or fails, or goes). */
    private void drain(Part p) {
        p.held = null;
        if (p.phase != Phase.DRAINING) {
            LOG.debugf("Copy thread %s: %s stops sending (%s)", name, p.tp, p.phase);
            p.phase = Phase.DRAINING;
            p.spec.progress().attemptFailed();
        }
    }

    /** {@link #drain}, to start again because of {@code cause} (unless it drains already, or for another cause). */
    private void drain(Part p, RestartCause cause) {
        if (p.phase != Phase.DRAINING && p.restartCause == null) {
            p.restartCause = cause;
        }
        drain(p);
    }

    private void fatal(Part p, MirrorTopicError error, String message) {
        if (p.fatal == null) {
            p.fatal = new Fatal(error, message);
        }
        drain(p);
    }

    /** A drained attempt ends: the mirror fails, or the partition starts again after a wait. */
    private void endAttempt(Part p, long now) {
        AckTracker.Failure failure = p.acks == null ? null : p.acks.failure();
        if (p.fatal == null && failure != null) {
            p.fatal = fatalOf(p, failure);
        }
        p.spec.progress().stopped();
        if (p.fatal != null) {
            parts.remove(p.tp);
            listener.failed(p.mirrorId(), p.fatal.error(), p.fatal.message());
            return;
        }
        p.spec.progress().restarted(failure != null || p.restartCause == null ? RestartCause.WRITE_FAILED
                : p.restartCause);
        p.restartCause = null;
        boolean atOnce = p.restartAtOnce && failure == null;
        p.restartAtOnce = false;
        boolean progressed = p.spec.progress().copiedPosition() > p.attemptStart;
        p.failedAttempts = atOnce ? 0 : progressed ? 1 : p.failedAttempts + 1;
        if (failure != null && failure.error() != null && !aborted(failure.error())) {
            LOG.warnf("Copy thread %s: the destination refused the write of source offset %d of %s: %s", name,
                    failure.offset(), p.tp, failure.error().getMessage());
            reportProblem(p, "The destination refuses writes to partition " + p.spec.destination().partition()
                    + " of the mirror (source offset " + failure.offset() + "): " + failure.error().getMessage()
                    + "; retrying");
            p.writeRefused = true;
        }
        p.acks = null;
        p.phase = Phase.PENDING;
        p.retryAt = atOnce ? now : now + backoff(p);
    }

    /** Failures after which the mirror cannot be exact; others are retried. */
    private static Fatal fatalOf(Part p, AckTracker.Failure failure) {
        if (failure.divergence() != null) {
            return new Fatal(MirrorTopicError.ILLEGAL_STATE, failure.divergence());
        }
        if (failure.error() instanceof InvalidRecordException && !timestampRefused(failure.error())) {
            return new Fatal(MirrorTopicError.UNSUPPORTED_MESSAGE_FORMAT, "The destination refuses the record at "
                    + "source offset " + failure.offset() + " of partition " + p.tp.partition() + ": "
                    + failure.error().getMessage());
        }
        return null;
    }

    /**
     * The destination refused a record's timestamp: its topic's timestamp bounds changed (the
     * mirror has none), which an operator can undo, so the write is retried.
     * The producer reports the refusal of several records of one batch as an
     * {@code InvalidRecordException} whose message names the cause.
     */
    private static boolean timestampRefused(Exception error) {
        return error.getMessage() != null && error.getMessage().toLowerCase(Locale.ROOT).contains("timestamp");
    }

    /** The producer was closed because another partition's write failed: nothing wrong with this one. */
    private static boolean aborted(Exception error) {
        return error instanceof KafkaException && error.getMessage() != null
                && error.getMessage().contains("closed forcefully");
    }

    private void switchWriter(Part p, long now) {
        Writer writer = writer(p.switchTo);
        p.codec = p.switchTo;
        p.switchTo = null;
        p.held = null;
        p.acks = new AckTracker(p.spec.destination(), p.spec.progress(), writer, p.next, this::wake);
        p.spec.progress().restart(p.next, p.acks);
        p.attemptStart = p.next;
        p.lastRecordAt = now;
        p.phase = Phase.COPYING;
        p.needsSeek = true;
    }

    /** Writes unacknowledged for too long are reported; the partition keeps waiting for them. */
    private void watch(Part p, long now) {
        long acked = p.spec.progress().acknowledged();
        if (acked != p.lastAcked || p.acks.pending() == 0) {
            boolean landed = acked != p.lastAcked;
            p.lastAcked = acked;
            p.lastAckProgressAt = now;
            if (landed && p.writeRefused || p.acks.pending() == 0 && !p.writeRefused) {
                clearProblem(p);
            }
            return;
        }
        long waiting = now - p.lastAckProgressAt;
        if (waiting > settings.stuckAfter().toMillis() && !p.problemReported) {
            reportProblem(p, "Writes to partition " + p.spec.destination().partition() + " of the mirror have not "
                    + "been acknowledged for " + waiting / 1000 + " s (" + p.acks.pending() + " records waiting): "
                    + "the destination does not accept them; they are retried until it does");
        }
    }

    // ---- source topic checks ----

    private void checkTopics(long now) {
        if (topicCheck != null && topicCheck.isDone()) {
            CompletableFuture<Map<String, String>> done = topicCheck;
            topicCheck = null;
            Map<String, String> ids;
            try {
                ids = done.join();
            } catch (RuntimeException e) {
                LOG.debugf("Copy thread %s: source topic check failed: %s", name, e.getMessage());
                return;
            }
            onTopicIds(ids, topicCheckIssuedAt);
        }
        long gatedSince = Long.MAX_VALUE;
        for (Part p : parts.values()) {
            if (p.phase == Phase.GATED) {
                gatedSince = Math.min(gatedSince, p.gatedAt);
            }
        }
        boolean gated = gatedSince != Long.MAX_VALUE;
        boolean due = gated && lastTopicCheckAt <= gatedSince
                || now - lastTopicCheckAt >= (gated ? GATED_CHECK_INTERVAL : settings.topicCheckInterval()).toMillis();
        if (topicCheck == null && due) {
            Set<String> topics = new HashSet<>();
            for (Part p : parts.values()) {
                if (p.phase == Phase.COPYING || p.phase == Phase.GATED) {
                    topics.add(p.tp.topic());
                }
            }
            if (!topics.isEmpty()) {
                topicCheckIssuedAt = now;
                lastTopicCheckAt = now;
                topicCheck = clients.sourceTopicIds(topics);
            }
        }
    }

    private void onTopicIds(Map<String, String> ids, long issuedAt) {
        for (Part p : new ArrayList<>(parts.values())) {
            if (p.phase != Phase.COPYING && p.phase != Phase.GATED) {
                continue;
            }
            String id = ids.get(p.tp.topic());
            if (id == null) {
                if (p.phase == Phase.COPYING) {
                    gate(p, issuedAt, null);
                }
                reportProblem(p, "Source topic '" + p.tp.topic() + "' is not found on the source cluster");
            } else if (p.spec.sourceTopicId() != null && !p.spec.sourceTopicId().equals(id)) {
                fatal(p, MirrorTopicError.SOURCE_TOPIC_ID_CHANGED, "Source topic '" + p.tp.topic()
                        + "' was deleted and re-created: its topic id is now " + id + ", the mirror copied "
                        + p.spec.sourceTopicId());
            } else if (p.phase == Phase.GATED && issuedAt > p.gatedAt) {
                p.phase = Phase.COPYING;
                p.checked = true;
                p.lastRecordAt = clock.getAsLong();
                if (!p.writeRefused) {
                    clearProblem(p);
                }
            }
        }
    }

    // ---- source fetch errors ----

    private void onTruncation(Map<TopicPartition, OffsetAndMetadata> divergent, Set<TopicPartition> outOfRange) {
        for (TopicPartition tp : outOfRange) {
            OffsetAndMetadata d = divergent.get(tp);
            Part p = parts.get(tp);
            if (p != null && d != null && d.offset() < p.next) {
                restartPart(tp, d.offset());
            } else {
                restartPart(tp, null);
            }
        }
    }

    private void onSourceRefusal(Set<String> topics, String reason) {
        for (Part p : parts.values()) {
            if (topics.contains(p.tp.topic()) && p.phase == Phase.COPYING) {
                reportProblem(p, "Cannot read from the source: " + reason);
                drain(p, RestartCause.SOURCE_REFUSED);
            }
        }
    }

    /** The source position is no longer valid: the partition starts again, and its start finds out why. */
    private void restartPart(TopicPartition tp, Long truncatedAt) {
        Part p = parts.get(tp);
        if (p == null || p.phase != Phase.COPYING && p.phase != Phase.GATED && p.phase != Phase.SWITCHING) {
            return;
        }
        p.truncatedAt = truncatedAt;
        drain(p, truncatedAt != null ? RestartCause.SOURCE_TRUNCATED : RestartCause.SOURCE_OUT_OF_RANGE);
        p.failedAttempts = 0;
        p.restartAtOnce = true;
    }

    private void restartAll() {
        for (Part p : parts.values()) {
            if (p.phase == Phase.COPYING || p.phase == Phase.GATED || p.phase == Phase.SWITCHING) {
                drain(p, RestartCause.THREAD_FAILED);
            }
        }
    }

    // ---- consumer assignment ----

    private void assign() {
        Set<TopicPartition> wanted = new HashSet<>();
        Set<TopicPartition> pause = new HashSet<>();
        boolean full = bufferFull() || throttle.exhausted();
        for (Part p : parts.values()) {
            boolean fetching = p.removal == null && (p.phase == Phase.COPYING || p.phase == Phase.GATED);
            if (fetching) {
                wanted.add(p.tp);
                if (p.phase == Phase.GATED || p.atStop || full || p.held != null) {
                    pause.add(p.tp);
                }
            }
        }
        Set<TopicPartition> assigned = consumer.assignment();
        if (!wanted.equals(assigned)) {
            consumer.assign(wanted);
            for (Part p : parts.values()) {
                if (wanted.contains(p.tp) && !assigned.contains(p.tp)) {
                    p.needsSeek = true;
                }
            }
        }
        for (Part p : parts.values()) {
            if (wanted.contains(p.tp) && p.needsSeek) {
                consumer.seek(p.tp, p.next);
                p.needsSeek = false;
            }
        }
        Set<TopicPartition> paused = consumer.paused();
        Set<TopicPartition> resume = new HashSet<>(paused);
        resume.removeAll(pause);
        resume.retainAll(wanted);
        if (!resume.isEmpty()) {
            consumer.resume(resume);
        }
        Set<TopicPartition> newlyPaused = new HashSet<>(pause);
        newlyPaused.removeAll(paused);
        if (!newlyPaused.isEmpty()) {
            consumer.pause(newlyPaused);
        }
    }

    /** Fetching waits while a writer's buffer is nearly full, so that a send never blocks this thread. */
    private boolean bufferFull() {
        double free = 1;
        long held = 0;
        for (Writer w : allWriters()) {
            if (!w.failed()) {
                double f = w.freeBuffer();
                free = Math.min(free, f);
                held += (long) ((1 - f) * w.bufferMemory());
            }
        }
        clients.buffered(held - reportedBuffered);
        reportedBuffered = held;
        backpressure = backpressure ? free < 1 - BUFFER_LOW : free < 1 - BUFFER_HIGH;
        return backpressure || clients.budgetFull();
    }

    private Writer writer(CompressionType codec) {
        Writer w = writers.get(codec);
        if (w == null || w.failed()) {
            int g = ++generation;
            long buffer = clients.bufferMemory();
            w = new Writer(clients.producer(codec, g, buffer, parts.size()), g, codec, clients.maxBatchBytes(), buffer,
                    this::wake);
            writers.put(codec, w);
        }
        return w;
    }

    private List<Writer> allWriters() {
        List<Writer> all = new ArrayList<>(writers.values());
        all.addAll(retired);
        return all;
    }

    // ---- resizing: clients follow this thread's share of the budget as links come and go ----

    /**
     * Producers and the consumer are sized for the share of the instance's budget this thread had
     * (and the partitions it copied) when they were made; when that has halved or doubled since
     * (links or partitions came or went), they are made again at the new size: a producer's
     * partitions switch to a new writer once nothing of theirs is in flight (as for a codec
     * switch), and the consumer is reopened at the partitions' next offsets. A Kafka producer keeps
     * every batch buffer it ever used until it closes, so only a new one gives memory back.
     */
    private void resize(long now) {
        if (now - lastResizeCheckAt < RESIZE_CHECK_INTERVAL.toMillis()) {
            return;
        }
        lastResizeCheckAt = now;
        long share = clients.bufferMemory();
        for (Writer w : new ArrayList<>(writers.values())) {
            if (!w.failed() && ReplicationBudget.outgrown(w.bufferMemory(), share)) {
                LOG.debugf("Copy thread %s: producer generation %d has %d bytes of buffers, its share is now %d: "
                        + "its partitions move to a new producer", name, w.generation(), w.bufferMemory(), share);
                writers.remove(w.codec());
                retired.add(w);
            }
        }
        for (Part p : parts.values()) {
            if (p.phase == Phase.COPYING && p.removal == null && retired.contains(p.acks.writer())) {
                p.switchTo = p.codec;
                p.phase = Phase.SWITCHING;
                p.held = null;
            }
        }
        long fetch = clients.partitionFetchBytes(parts.size());
        if (ReplicationBudget.outgrown(consumerFetchBytes, fetch)) {
            LOG.debugf("Copy thread %s: the consumer fetches %d bytes per partition, for %d partitions and its "
                    + "share now %d: it is made again", name, consumerFetchBytes, parts.size(), fetch);
            // The new one first: should it fail, the old one goes on and the next check tries again.
            Consumer<byte[], byte[]> old = consumer;
            consumer = clients.sourceConsumer(parts.size());
            consumerFetchBytes = fetch;
            try {
                old.close(Duration.ZERO);
            } catch (RuntimeException e) {
                LOG.debugf("Copy thread %s: consumer close failed: %s", name, e.getMessage());
            }
            parts.values().forEach(p -> p.needsSeek = true);
        }
    }

    // ---- removal, problems, shutdown ----

    private CompletableFuture<Void> beginRemoval(Part p) {
        if (p.removal != null) {
            return p.removal;
        }
        p.removal = new CompletableFuture<>();
        CompletableFuture<Void> removal = p.removal;
        if (p.phase == Phase.STARTING) {
            starter.cancel(p.tp).whenComplete((v, e) -> submit(() -> {
                if (parts.get(p.tp) == p) {
                    p.phase = Phase.PENDING;
                }
            }));
        } else if (p.phase != Phase.PENDING) {
            p.phase = Phase.DRAINING;
        }
        return removal;
    }

    private void finishRemoval(Part p) {
        if (parts.get(p.tp) == p) {
            parts.remove(p.tp);
        }
        p.spec.progress().stopped();
        clearProblem(p);
        p.removal.complete(null);
    }

    private void reportProblem(Part p, String message) {
        p.problemReported = true;
        listener.problem(p.mirrorId(), p.tp.partition(), message);
    }

    private void clearProblem(Part p) {
        p.writeRefused = false;
        if (p.problemReported) {
            p.problemReported = false;
            listener.problem(p.mirrorId(), p.tp.partition(), null);
        }
    }

    private void waitFor(Duration d) throws InterruptedException {
        synchronized (signal) {
            if (commands.isEmpty() && running) {
                signal.wait(Math.max(1, d.toMillis()));
            }
        }
    }

    private void runCommands() {
        Runnable command;
        while ((command = commands.poll()) != null) {
            try {
                command.run();
            } catch (RuntimeException e) {
                LOG.warnf(e, "Copy thread %s: command failed", name);
            }
        }
    }

    void shutDown() {
        starter.close();
        for (Writer w : allWriters()) {
            w.close(aborted ? Duration.ZERO : Duration.ofSeconds(10));
        }
        try {
            if (consumer != null) {
                consumer.close(Duration.ofSeconds(5));
            }
        } catch (RuntimeException e) {
            LOG.debugf("Copy thread %s: consumer close failed: %s", name, e.getMessage());
        }
        closed = true;
        clients.buffered(-reportedBuffered);
        reportedBuffered = 0;
        for (Part p : parts.values()) {
            p.spec.progress().stopped();
            if (p.removal != null) {
                p.removal.complete(null);
            }
        }
        parts.clear();
        runCommands();
    }

    /** The partitions this thread holds, and their phases: for tests and diagnostics. */
    Map<TopicPartition, Phase> phases() {
        Map<TopicPartition, Phase> result = new HashMap<>();
        parts.forEach((tp, p) -> result.put(tp, p.phase));
        return result;
    }
}
