package io.clusterlink.replication;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.DefaultRecord;
import org.jboss.logging.Logger;

import io.clusterlink.kafka.KafkaCallException;
import io.clusterlink.kafka.KafkaErrors;
import io.clusterlink.kafka.KafkaFutures;
import io.clusterlink.kafka.Pending;
import io.clusterlink.kafka.Topics;
import io.clusterlink.link.MirrorTopicError;

/**
 * The {@link Starter} of one copy thread, on the shared start and alignment executors. A start:
 * <ol>
 * <li>checks the source topic: it exists with the mirror's topic id and enough partitions;</li>
 * <li>reads the mirror partition's end offset until it is stable over the fence interval, so a
 * write of an earlier writer (a closed producer, a killed service) that was still on its way has
 * landed before it is looked at; a partition whose every write from this process was answered
 * ({@link PartitionProgress#quiet()}) has no such write, and is read once;</li>
 * <li>refuses a mirror that ends beyond the source (truncated source, foreign writes) and verifies
 * the mirror's last record against the source ({@link TailVerifier});</li>
 * <li>aligns: fillers up to the start offset (or the source's log start, when retention deleted
 * records before they were copied), deleted in chunks, so the mirror starts exactly there;</li>
 * <li>picks the codec: the source topic's {@code compression.type}, or, when the source keeps what
 * its producers sent, compression when the source stores far less than the records' size.</li>
 * </ol>
 */
final class PartitionStarter implements Starter {

    private static final Logger LOG = Logger.getLogger(PartitionStarter.class);
    /** Rounds of end offset reads before a partition whose end keeps moving is retried later. */
    private static final int STABILITY_ROUNDS = 5;
    /** Source records read before a partition's verification offset, to tell whether the source is compressed. */
    private static final long SAMPLE = 64;
    /** Fewer source records than this, of fewer bytes than {@link #MIN_SAMPLE_BYTES}, tell nothing about its compression. */
    private static final int MIN_SAMPLE = 50;
    private static final long MIN_SAMPLE_BYTES = 48 * 1024;
    /** A source stores its records compressed when it needs less than this share of their size. */
    private static final double COMPRESSED_BELOW = 0.8;

    /** The mirror partitions' logs on the destination cluster. */
    interface Destination {
        Pending<Map<TopicPartition, Long>> endOffsets(Set<TopicPartition> partitions);

        Pending<Map<TopicPartition, Long>> startOffsets(Set<TopicPartition> partitions);

        void deleteBefore(TopicPartition partition, long offset);
    }

    /** What a start talks to. */
    interface Io {
        Admin sourceAdmin();

        Destination destination();

        /** Consumers of the source ({@code read_committed}) that starts reuse. */
        ProbeConsumers sourceProbes();

        /** Consumers of the destination ({@code read_uncommitted}) that starts reuse. */
        ProbeConsumers destinationProbes();

        Filler newFiller();
    }

    /**
     * @param fenceInterval how long the end offset must stay the same before it is trusted
     * @param timeout bound on each call and read of a start
     * @param fillChunk fillers written between two deletions, bounding the disk they take
     */
    record Settings(Duration fenceInterval, Duration timeout, long fillChunk) {
    }

    private final String name;
    private final Io io;
    private final Executor startPool;
    private final Executor alignPool;
    private final CopyListener listener;
    private final Settings settings;
    private final Map<TopicPartition, Job> running = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** One partition's start in progress; {@code writing} while fillers are written to it. */
    private static final class Job {
        volatile boolean cancelled;
        boolean writing;
        final CompletableFuture<Void> idle = new CompletableFuture<>();

        synchronized boolean beginWriting() {
            if (cancelled) {
                return false;
            }
            writing = true;
            return true;
        }

        synchronized void endWriting() {
            writing = false;
            if (cancelled) {
                idle.complete(null);
            }
        }

        synchronized CompletableFuture<Void> cancel() {
            cancelled = true;
            if (!writing) {
                idle.complete(null);
            }
            return idle;
        }
    }

    PartitionStarter(String name, Io io, Executor startPool, Executor alignPool, CopyListener listener,
            Settings settings) {
        this.name = name;
        this.io = io;
        this.startPool = startPool;
        this.alignPool = alignPool;
        this.listener = listener;
        this.settings = settings;
    }

    @Override
    public void start(List<Request> requests, Consumer<Result> results) {
        for (Request r : requests) {
            running.put(r.partition().source(), new Job());
        }
        startPool.execute(() -> {
            try {
                run(requests, results);
            } catch (RuntimeException e) {
                LOG.warnf(e, "Start of %d partition(s) on %s failed", requests.size(), name);
                for (Request r : requests) {
                    finish(r, results, new Retry(r.partition().source(), "the start failed: " + e.getMessage()));
                }
            }
        });
    }

    @Override
    public CompletableFuture<Void> cancel(TopicPartition source) {
        Job job = running.get(source);
        return job == null ? CompletableFuture.completedFuture(null) : job.cancel();
    }

    @Override
    public void close() {
        closed = true;
        running.values().forEach(Job::cancel);
    }

    private boolean cancelled(Request r) {
        Job job = running.get(r.partition().source());
        return closed || job == null || job.cancelled;
    }

    private void finish(Request r, Consumer<Result> results, Result result) {
        TopicPartition tp = r.partition().source();
        Job job = running.remove(tp);
        if (job != null) {
            job.idle.complete(null);
        }
        results.accept(job != null && job.cancelled && !(result instanceof Failed) ? new Cancelled(tp) : result);
    }

    /** What a partition needs after the checks. */
    private record Plan(Request request, long end, long target, long skipped, boolean compacted,
            CompressionType codec, long sourceEnd) {
    }

    /** What a start reads of the source and the mirror before it checks anything. */
    private record Reads(Map<String, TopicDescription> described, Map<String, Config> configs,
            Map<TopicPartition, Long> destEnd, Map<TopicPartition, Long> destStart, Map<TopicPartition, Long> srcStart,
            Map<TopicPartition, Long> srcStable, Map<TopicPartition, Long> srcEnd, Set<TopicPartition> moving) {
    }

    private void run(List<Request> requests, Consumer<Result> results) {
        long began = System.nanoTime();
        Reads reads;
        try {
            reads = read(requests);
        } catch (KafkaCallException e) {
            for (Request r : requests) {
                finish(r, results, new Retry(r.partition().source(), "cannot start: " + e.getMessage()));
            }
            return;
        }
        Map<String, TopicDescription> described = reads.described();
        Map<String, Config> configs = reads.configs();
        Map<TopicPartition, Long> destEnd = reads.destEnd();
        Map<TopicPartition, Long> destStart = reads.destStart();
        Map<TopicPartition, Long> srcStart = reads.srcStart();
        Map<TopicPartition, Long> srcStable = reads.srcStable();
        Map<TopicPartition, Long> srcEnd = reads.srcEnd();
        Set<TopicPartition> moving = reads.moving();
        List<Plan> plans = new ArrayList<>();
        for (Request r : requests) {
            MirrorPartition m = r.partition();
            TopicPartition tp = m.source();
            if (cancelled(r)) {
                finish(r, results, new Cancelled(tp));
                continue;
            }
            Result refused = check(r, described.get(tp.topic()), moving, destEnd, srcEnd, srcStable);
            if (refused == null && !srcStart.containsKey(tp)) {
                refused = unanswered(tp);
            }
            if (refused != null) {
                finish(r, results, refused);
                continue;
            }
            long end = destEnd.get(m.destination());
            long sourceStart = srcStart.get(tp);
            long target = Math.max(m.startOffset(), sourceStart);
            long skipped = target > m.startOffset() && target > end ? target - Math.max(end, m.startOffset()) : 0;
            CompressionType codec = configuredCodec(configs.get(tp.topic()));
            plans.add(new Plan(r, end, target, skipped, compacted(configs.get(tp.topic())),
                    codec != null ? codec : m.progress().estimatedCodec(), srcStable.get(tp)));
            m.progress().startsAt(end);
            m.progress().sourceEnd(srcStable.get(tp));
        }
        long checked = System.nanoTime();
        plans = verify(plans, destStart, srcStart, srcStable, srcEnd, described, results);
        LOG.debugf("Start on %s of %d partition(s): offsets read in %d ms, tails verified in %d ms", name,
                requests.size(), (checked - began) / 1_000_000, (System.nanoTime() - checked) / 1_000_000);
        for (Plan p : plans) {
            // A failure here ends this partition's start only: another one of the same start may be
            // aligning already, and finishing its request would end the job a halt waits for.
            try {
                if (p.end() < p.target()) {
                    alignPool.execute(() -> align(p, results));
                } else {
                    ready(p, destStart, results);
                }
            } catch (RuntimeException e) {
                finish(p.request(), results, new Retry(p.request().partition().source(), "the start failed: "
                        + KafkaErrors.describe(e)));
            }
        }
    }

    /** Refusals before anything is read: the source topic changed, the mirror ends beyond the source. */
    static Result check(Request r, TopicDescription source, Set<TopicPartition> moving,
            Map<TopicPartition, Long> destEnd, Map<TopicPartition, Long> srcEnd, Map<TopicPartition, Long> srcStable) {
        MirrorPartition m = r.partition();
        TopicPartition tp = m.source();
        if (source == null) {
            return new Retry(tp, "Source topic '" + tp.topic() + "' is not found on the source cluster");
        }
        String id = source.topicId().toString();
        if (m.sourceTopicId() != null && !m.sourceTopicId().equals(id)) {
            return new Failed(tp, MirrorTopicError.SOURCE_TOPIC_ID_CHANGED, "Source topic '" + tp.topic()
                    + "' was deleted and re-created: its topic id is now " + id + ", the mirror copied "
                    + m.sourceTopicId());
        }
        if (tp.partition() >= source.partitions().size()) {
            return new Failed(tp, MirrorTopicError.SOURCE_PARTITIONS_DECREASED, "Source topic '" + tp.topic()
                    + "' has " + source.partitions().size() + " partitions, fewer than the mirror's");
        }
        if (r.truncatedAt() != null) {
            return new Failed(tp, MirrorTopicError.UNEXPECTED_TRUNCATION, "The source log of partition "
                    + tp.partition() + " was truncated: it diverges from the mirror at offset " + r.truncatedAt()
                    + " (the source lost records the mirror has, e.g. after an unclean leader election)");
        }
        if (moving.contains(m.destination())) {
            return new Retry(tp, "The end offset of partition " + m.destination().partition() + " of the mirror "
                    + "keeps moving while nothing of this service writes to it: another client writes to the mirror "
                    + "topic");
        }
        if (!srcEnd.containsKey(tp) || !srcStable.containsKey(tp)) {
            return unanswered(tp);
        }
        long end = destEnd.get(m.destination());
        long sourceEnd = srcEnd.get(tp);
        if (end > sourceEnd) {
            return new Failed(tp, MirrorTopicError.UNEXPECTED_TRUNCATION, "Source partition " + tp.partition()
                    + " ends at offset " + sourceEnd + ", below the mirror's end offset " + end
                    + ": the source was truncated, or another client wrote to the mirror topic");
        }
        long stable = srcStable.get(tp);
        if (end > stable) {
            return new Failed(tp, MirrorTopicError.ILLEGAL_STATE, "Partition " + m.destination().partition()
                    + " of the mirror ends at offset " + end + ", beyond the source's last stable offset " + stable
                    + ": another client wrote to the mirror topic");
        }
        return null;
    }

    /** A source partition the offset reads left out although its topic was described (created meanwhile). */
    private static Retry unanswered(TopicPartition tp) {
        return new Retry(tp, "Source partition " + tp.partition() + " of '" + tp.topic()
                + "' did not answer its offsets yet");
    }

    /**
     * Verifies each partition's last record against the source, and reads a sample of source
     * records where the codec is still to be chosen; returns the partitions that passed.
     */
    private List<Plan> verify(List<Plan> plans, Map<TopicPartition, Long> destStart,
            Map<TopicPartition, Long> srcStart, Map<TopicPartition, Long> srcStable, Map<TopicPartition, Long> srcEnd,
            Map<String, TopicDescription> described, Consumer<Result> results) {
        Map<TopicPartition, Long> mirrorAt = new HashMap<>();
        Map<TopicPartition, Long> mirrorEnds = new HashMap<>();
        Map<TopicPartition, Long> sourceAt = new HashMap<>();
        for (Plan p : plans) {
            MirrorPartition m = p.request().partition();
            boolean hasTail = p.end() > destStart.get(m.destination());
            if (hasTail) {
                mirrorAt.put(m.destination(), p.end() - 1);
                mirrorEnds.put(m.destination(), p.end());
            }
            if (hasTail && p.end() - 1 >= m.startOffset() && p.end() - 1 >= srcStart.get(m.source())) {
                sourceAt.put(m.source(), p.end() - 1);
            } else if (p.codec() == null) {
                sourceAt.put(m.source(), Math.max(p.end(), p.target()));
            }
        }
        if (mirrorAt.isEmpty() && sourceAt.isEmpty()) {
            return plans;
        }
        List<TopicPartition> unfinished = new ArrayList<>();
        Map<TopicPartition, ConsumerRecord<byte[], byte[]>> mirrorLast;
        Map<TopicPartition, ConsumerRecord<byte[], byte[]>> sourceNext;
        Map<TopicPartition, Sample> samples = new HashMap<>();
        org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> dest = null;
        org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> src = null;
        boolean read = false;
        try {
            dest = io.destinationProbes().take();
            mirrorLast = TailVerifier.firstRecords(dest, mirrorAt, mirrorAt, mirrorEnds, settings.timeout(), unfinished,
                    null);
            src = io.sourceProbes().take();
            Map<TopicPartition, Long> sourceFrom = new HashMap<>();
            for (Plan p : plans) {
                TopicPartition tp = p.request().partition().source();
                Long offset = sourceAt.get(tp);
                if (offset != null) {
                    // A sample of the records before, where the codec is still to be chosen.
                    sourceFrom.put(tp, p.codec() != null ? offset : Math.max(srcStart.get(tp), offset - SAMPLE));
                }
            }
            sourceNext = TailVerifier.firstRecords(src, sourceFrom, sourceAt, srcStable, settings.timeout(),
                    unfinished, (tp, r) -> samples.computeIfAbsent(tp, k -> new Sample()).add(r));
            read = true;
        } catch (RuntimeException e) {
            for (Plan p : plans) {
                finish(p.request(), results, new Retry(p.request().partition().source(),
                        "cannot read the mirror's last record: " + KafkaErrors.describe(e)));
            }
            return List.of();
        } finally {
            io.destinationProbes().giveBack(dest, read);
            io.sourceProbes().giveBack(src, read);
        }
        List<Plan> passed = new ArrayList<>();
        List<Plan> undecided = new ArrayList<>();
        for (Plan p : plans) {
            MirrorPartition m = p.request().partition();
            if (unfinished.contains(m.destination()) || unfinished.contains(m.source())) {
                finish(p.request(), results, new Retry(m.source(), "cannot read the last record of partition "
                        + m.destination().partition() + " of the mirror or its source within " + settings.timeout()));
                continue;
            }
            if (mirrorAt.containsKey(m.destination())) {
                ConsumerRecord<byte[], byte[]> source = sourceAt.containsKey(m.source()) ? sourceNext.get(m.source())
                        : null;
                TailVerifier.Tail tail = new TailVerifier.Tail(mirrorLast.get(m.destination()), source);
                String mismatch = TailVerifier.mismatch(tail, p.end(), m.startOffset(), srcStart.get(m.source()),
                        p.compacted());
                if (mismatch != null) {
                    finish(p.request(), results, new Failed(m.source(), MirrorTopicError.ILLEGAL_STATE,
                            "Partition " + m.destination().partition() + " of the mirror does not continue its source: "
                                    + mismatch + ". Another client wrote to the mirror topic, or the source changed"));
                    continue;
                }
            }
            if (p.codec() != null) {
                passed.add(p);
            } else {
                undecided.add(p);
            }
        }
        if (!undecided.isEmpty()) {
            passed.addAll(withCodecs(undecided, samples, srcStart, srcEnd, described));
        }
        return passed;
    }

    /**
     * The plans with the codec estimated from each partition's sample; a partition whose sample is
     * too small takes what the other partitions of its topic in this start came to (a topic's
     * partitions are written by the same producers), and stays undecided (copied uncompressed,
     * started again after some records to choose) only when none of them could tell. Estimates are
     * remembered for the partition's later starts.
     */
    private List<Plan> withCodecs(List<Plan> undecided, Map<TopicPartition, Sample> samples,
            Map<TopicPartition, Long> srcStart, Map<TopicPartition, Long> srcEnd,
            Map<String, TopicDescription> described) {
        Map<TopicPartition, Long> logSizes = logSizes(samples.keySet(), described);
        Map<TopicPartition, CompressionType> estimates = new HashMap<>();
        List<TopicPartition> partitions = new ArrayList<>();
        for (Plan p : undecided) {
            TopicPartition tp = p.request().partition().source();
            partitions.add(tp);
            CompressionType codec = estimateCodec(tp, samples.get(tp), logSizes.get(tp),
                    srcEnd.get(tp) - srcStart.get(tp));
            if (codec != null) {
                estimates.put(tp, codec);
            }
        }
        Map<TopicPartition, CompressionType> codecs = byTopicWhereUnknown(partitions, estimates);
        List<Plan> plans = new ArrayList<>();
        for (Plan p : undecided) {
            MirrorPartition m = p.request().partition();
            CompressionType codec = codecs.get(m.source());
            m.progress().estimatedCodec(codec);
            plans.add(new Plan(p.request(), p.end(), p.target(), p.skipped(), p.compacted(), codec, p.sourceEnd()));
        }
        return plans;
    }

    /**
     * Each partition's codec: its own estimate, else the one most of its topic's other partitions
     * came to; a partition of a topic none could tell is left out.
     */
    static Map<TopicPartition, CompressionType> byTopicWhereUnknown(Collection<TopicPartition> partitions,
            Map<TopicPartition, CompressionType> estimates) {
        Map<String, Map<CompressionType, Integer>> byTopic = new HashMap<>();
        estimates.forEach((tp, codec) -> byTopic.computeIfAbsent(tp.topic(), t -> new EnumMap<>(CompressionType.class))
                .merge(codec, 1, Integer::sum));
        Map<TopicPartition, CompressionType> codecs = new HashMap<>();
        for (TopicPartition tp : partitions) {
            CompressionType codec = estimates.get(tp);
            Map<CompressionType, Integer> topic = byTopic.get(tp.topic());
            if (codec == null && topic != null) {
                codec = topic.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
            }
            if (codec != null) {
                codecs.put(tp, codec);
            }
        }
        return codecs;
    }

    /** Fillers up to the target offset, deleted in chunks; then the mirror starts exactly there. */
    private void align(Plan p, Consumer<Result> results) {
        MirrorPartition m = p.request().partition();
        TopicPartition dest = m.destination();
        Job job = running.get(m.source());
        if (job == null || !job.beginWriting()) {
            finish(p.request(), results, new Cancelled(m.source()));
            return;
        }
        long end = p.end();
        long started = System.nanoTime();
        m.progress().quiet(false);
        try (Filler filler = io.newFiller()) {
            LOG.infof("Aligning %s: writing %d filler records so the mirror starts at offset %d", dest,
                    p.target() - end, p.target());
            while (end < p.target() && !cancelled(p.request())) {
                long chunk = Math.min(settings.fillChunk(), p.target() - end);
                long base = end;
                m.progress().aligning(p.target() - end, p.target());
                filler.fill(dest, chunk, () -> cancelled(p.request()),
                        n -> m.progress().aligning(p.target() - base - n, p.target()));
                end = io.destination().endOffsets(Set.of(dest)).await().get(dest);
                if (end > p.target()) {
                    job.endWriting();
                    finish(p.request(), results, new Failed(m.source(), MirrorTopicError.ILLEGAL_STATE,
                            "Alignment of partition " + dest.partition() + " ended at offset " + end + ", beyond "
                                    + p.target() + ": another client wrote to the mirror topic"));
                    return;
                }
                if (end > base) {
                    io.destination().deleteBefore(dest, end);
                }
            }
        } catch (RuntimeException e) {
            job.endWriting();
            m.progress().aligning(-1, -1);
            finish(p.request(), results, new Retry(m.source(), "alignment of partition " + dest.partition()
                    + " stopped at offset " + end + ": " + KafkaErrors.describe(e) + "; it continues from there"));
            return;
        }
        job.endWriting();
        m.progress().aligning(-1, -1);
        if (end < p.target()) {
            finish(p.request(), results, new Cancelled(m.source()));
            return;
        }
        m.progress().quiet(true);
        long ms = Math.max(1, (System.nanoTime() - started) / 1_000_000);
        LOG.infof("Aligned %s at offset %d in %d ms (%d filler records/s)", dest, p.target(), ms,
                (p.target() - p.end()) * 1000 / ms);
        if (p.skipped() > 0) {
            listener.recordsSkipped(m.mirrorId(), m.source().partition(), p.skipped(), p.target());
        }
        results(p, results, p.target());
    }

    private void ready(Plan p, Map<TopicPartition, Long> destStart, Consumer<Result> results) {
        MirrorPartition m = p.request().partition();
        try {
            long start = m.startOffset();
            if (start > 0 && destStart.get(m.destination()) < start && p.end() >= start) {
                io.destination().deleteBefore(m.destination(), start);
            }
        } catch (KafkaCallException e) {
            finish(p.request(), results, new Retry(m.source(), "cannot delete the fillers below offset "
                    + m.startOffset() + ": " + e.getMessage()));
            return;
        }
        results(p, results, p.end());
    }

    private void results(Plan p, Consumer<Result> results, long next) {
        MirrorPartition m = p.request().partition();
        finish(p.request(), results, new Ready(m.source(), next, Math.max(p.sourceEnd(), next), p.codec()));
    }

    // ---- reads ----

    /**
     * Reads everything a start checks, with the requests in flight at once: the source topics'
     * descriptions and configs, the source partitions' offsets, and the mirror partitions' start and
     * end offsets. A mirror partition whose end may still move (an earlier writer's writes may be on
     * their way) is read again until its end stays the same over the fence interval; then the
     * source and the mirror's start are read again too, so that they are never older than the end
     * they are compared with.
     */
    private Reads read(List<Request> requests) {
        Set<String> topics = new HashSet<>();
        Set<TopicPartition> sources = new HashSet<>();
        Set<TopicPartition> dests = new HashSet<>();
        Set<TopicPartition> open = new HashSet<>();
        for (Request r : requests) {
            MirrorPartition m = r.partition();
            topics.add(m.source().topic());
            sources.add(m.source());
            dests.add(m.destination());
            if (!m.progress().quiet()) {
                // Its end is trusted only once it stays the same over the fence interval.
                open.add(m.destination());
                m.progress().fenceWaited();
            }
        }
        Admin admin = io.sourceAdmin();
        Duration timeout = settings.timeout();
        Pending<Map<String, TopicDescription>> described = Topics.describing(admin, topics, timeout);
        Pending<Map<String, Config>> configs = Topics.configsOf(admin, topics, timeout);
        Pending<Map<TopicPartition, Long>> destEnd = io.destination().endOffsets(dests);
        Pending<Map<TopicPartition, Long>> destStart = io.destination().startOffsets(dests);
        Pending<Map<TopicPartition, Long>> srcStart = sourceOffsets(sources, OffsetSpec.earliest(),
                IsolationLevel.READ_UNCOMMITTED);
        Pending<Map<TopicPartition, Long>> srcStable = sourceOffsets(sources, OffsetSpec.latest(),
                IsolationLevel.READ_COMMITTED);
        Pending<Map<TopicPartition, Long>> srcEnd = sourceOffsets(sources, OffsetSpec.latest(),
                IsolationLevel.READ_UNCOMMITTED);
        Map<TopicPartition, Long> ends = destEnd.await();
        Set<TopicPartition> moving = new HashSet<>();
        if (!open.isEmpty()) {
            stabilize(ends, open, moving);
            destStart = io.destination().startOffsets(dests);
            srcStart = sourceOffsets(sources, OffsetSpec.earliest(), IsolationLevel.READ_UNCOMMITTED);
            srcStable = sourceOffsets(sources, OffsetSpec.latest(), IsolationLevel.READ_COMMITTED);
            srcEnd = sourceOffsets(sources, OffsetSpec.latest(), IsolationLevel.READ_UNCOMMITTED);
        }
        Map<String, Config> topicConfigs;
        try {
            topicConfigs = configs.await();
        } catch (KafkaCallException e) {
            // Without the configs, the codec is estimated from the records.
            LOG.debugf("Start on %s: cannot read the source topic configs (%s)", name, e.getMessage());
            topicConfigs = Map.of();
        }
        return new Reads(described.await(), topicConfigs, ends, destStart.await(), srcStart.await(),
                srcStable.await(), srcEnd.await(), moving);
    }

    /** Offsets of the source partitions that exist (a missing topic is refused by the checks). */
    private Pending<Map<TopicPartition, Long>> sourceOffsets(Set<TopicPartition> partitions, OffsetSpec spec,
            IsolationLevel isolation) {
        return Topics.offsetsOfExisting(io.sourceAdmin(), partitions, spec, isolation, settings.timeout());
    }

    /**
     * Reads the end offsets of the {@code open} mirror partitions again until each stays the same
     * over the fence interval; those that keep moving are put in {@code moving}.
     */
    private void stabilize(Map<TopicPartition, Long> ends, Set<TopicPartition> open, Set<TopicPartition> moving) {
        for (int round = 0; round < STABILITY_ROUNDS && !open.isEmpty(); round++) {
            sleep(settings.fenceInterval());
            Map<TopicPartition, Long> again = io.destination().endOffsets(open).await();
            Set<TopicPartition> stable = new HashSet<>();
            for (TopicPartition tp : open) {
                if (again.get(tp).equals(ends.get(tp))) {
                    stable.add(tp);
                }
                ends.put(tp, again.get(tp));
            }
            open.removeAll(stable);
        }
        moving.addAll(open);
    }

    private static boolean compacted(Config config) {
        ConfigEntry policy = config == null ? null : config.get(TopicConfig.CLEANUP_POLICY_CONFIG);
        return policy != null && policy.value() != null
                && policy.value().toLowerCase(Locale.ROOT).contains(TopicConfig.CLEANUP_POLICY_COMPACT);
    }

    /** The codec the source topic names ({@code compression.type}); null when it keeps what producers sent. */
    private static CompressionType configuredCodec(Config config) {
        ConfigEntry type = config == null ? null : config.get(TopicConfig.COMPRESSION_TYPE_CONFIG);
        if (type == null || type.value() == null) {
            return null;
        }
        String value = type.value().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "uncompressed" -> CompressionType.NONE;
            case "gzip", "snappy", "lz4", "zstd" -> CompressionType.forName(value);
            default -> null;
        };
    }

    /**
     * For a source that keeps what its producers sent: compressed (zstd) when its log takes far
     * less space per offset than the records it holds, so the mirror is no larger than the source.
     *
     * @param logSize the size of the source partition's log, null when unknown
     * @param offsets the offsets in the source partition's log (end less start)
     */
    private static CompressionType estimateCodec(TopicPartition tp, Sample sample, Long logSize, long offsets) {
        if (sample == null || sample.records < MIN_SAMPLE && sample.rawBytes < MIN_SAMPLE_BYTES) {
            return null;
        }
        long raw = sample.rawBytes;
        long span = sample.last - sample.first + 1;
        double rawPerOffset = (double) raw / span;
        if (logSize == null || logSize <= 0 || offsets <= 0) {
            return CompressionType.NONE;
        }
        double diskPerOffset = (double) logSize / offsets;
        boolean compressed = diskPerOffset < COMPRESSED_BELOW * rawPerOffset;
        LOG.debugf("Source %s stores %.1f bytes per offset, its records take %.1f: %s", tp, diskPerOffset,
                rawPerOffset, compressed ? "compressed, mirrored with zstd" : "mirrored uncompressed");
        return compressed ? CompressionType.ZSTD : CompressionType.NONE;
    }

    /**
     * What the codec estimate needs of the source records read before a start: their sizes in an
     * uncompressed batch and the offsets they span (not the records: a start of many partitions
     * would hold megabytes of them).
     */
    private static final class Sample {
        long records;
        long rawBytes;
        long first = -1;
        long last;

        void add(ConsumerRecord<byte[], byte[]> r) {
            // The record's size in an uncompressed batch (deltas of a few bytes, as in a batch).
            rawBytes += DefaultRecord.sizeInBytes(64, 0, Math.max(0, r.serializedKeySize()),
                    Math.max(0, r.serializedValueSize()), r.headers().toArray());
            if (first < 0) {
                first = r.offset();
            }
            last = r.offset();
            records++;
        }
    }

    /**
     * The log sizes of source partitions, with one request per leader broker for all of them (each
     * answer lists every replica of the broker): empty for partitions it cannot tell (the link needs
     * DESCRIBE on the cluster).
     */
    private Map<TopicPartition, Long> logSizes(Set<TopicPartition> partitions,
            Map<String, TopicDescription> described) {
        Map<Integer, Set<TopicPartition>> byLeader = new HashMap<>();
        for (TopicPartition tp : partitions) {
            TopicDescription d = described.get(tp.topic());
            Node leader = d == null || tp.partition() >= d.partitions().size() ? null
                    : d.partitions().get(tp.partition()).leader();
            if (leader != null) {
                byLeader.computeIfAbsent(leader.id(), k -> new HashSet<>()).add(tp);
            }
        }
        Map<TopicPartition, Long> sizes = new HashMap<>();
        if (byLeader.isEmpty()) {
            return sizes;
        }
        try {
            Map<Integer, Map<String, LogDirDescription>> dirs = KafkaFutures.await(io.sourceAdmin()
                    .describeLogDirs(byLeader.keySet()).allDescriptions(), settings.timeout());
            byLeader.forEach((broker, tps) -> {
                for (LogDirDescription dir : dirs.getOrDefault(broker, Map.of()).values()) {
                    for (TopicPartition tp : tps) {
                        ReplicaInfo info = dir.replicaInfos().get(tp);
                        if (info != null) {
                            sizes.merge(tp, info.size(), Math::max);
                        }
                    }
                }
            });
        } catch (KafkaCallException e) {
            LOG.debugf("Cannot read the log sizes of source partitions %s: %s", partitions, e.getMessage());
        }
        return sizes;
    }

    private void sleep(Duration d) {
        long until = System.nanoTime() + d.toNanos();
        synchronized (running) {
            long left;
            while (!closed && (left = until - System.nanoTime()) > 0) {
                try {
                    running.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
        }
    }
}
