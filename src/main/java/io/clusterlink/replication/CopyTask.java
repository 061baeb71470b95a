package io.clusterlink.replication;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import io.clusterlink.kafka.KafkaClients;
import io.clusterlink.kafka.KafkaErrors;
import io.clusterlink.link.MirrorTopicError;

/**
 * One replication thread: a source consumer and a destination producer, both touched only by
 * this thread, copying a set of mirror partitions. Each mirror partition has exactly one copy
 * task. A partition's position is its destination log end offset, read whenever the partition
 * (re)starts; every acknowledged offset is checked against the source offset.
 */
final class CopyTask implements Runnable {

    private static final Logger LOG = Logger.getLogger(CopyTask.class);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
    private static final long SETUP_RETRY_MS = 500;

    private final String name;
    private final Map<String, Object> sourceProperties;
    private final Map<String, Object> destinationProperties;
    private final Admin destinationAdmin;
    private final Duration fenceInterval;
    private final CopyListener listener;

    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final Object signal = new Object();
    private volatile boolean running = true;
    private volatile boolean closed;
    private KafkaConsumer<byte[], byte[]> consumer;

    // Owned by the copy thread.
    private KafkaProducer<byte[], byte[]> producer;
    private final Map<TopicPartition, Copying> partitions = new HashMap<>();
    private final AtomicReference<Failure> producerFailure = new AtomicReference<>();
    private volatile int generation;

    /** A partition being copied: its spec, the next destination offset, and its phase. */
    private static final class Copying {
        final MirrorPartition spec;
        Long stopOffset;
        long next;
        AckChecker acks;
        boolean ready;
        boolean positioned;
        long retryAt;
        volatile String divergence;

        Copying(MirrorPartition spec) {
            this.spec = spec;
            this.stopOffset = spec.stopOffset();
        }
    }

    private record Failure(int generation, Exception error) {
    }

    CopyTask(String name, Map<String, Object> sourceProperties, Map<String, Object> destinationProperties,
            Admin destinationAdmin, Duration fenceInterval, CopyListener listener) {
        this.name = name;
        this.sourceProperties = sourceProperties;
        this.destinationProperties = destinationProperties;
        this.destinationAdmin = destinationAdmin;
        this.fenceInterval = fenceInterval;
        this.listener = listener;
    }

    String name() {
        return name;
    }

    // ---- commands, from any thread ----

    void add(MirrorPartition partition) {
        submit(() -> {
            Copying c = partitions.get(partition.source());
            if (c == null || c.spec.mirrorId() != partition.mirrorId()) {
                partitions.put(partition.source(), new Copying(partition));
                partition.progress().stopOffset(partition.stopOffset());
            }
        });
    }

    void updateStop(TopicPartition source, Long stopOffset) {
        submit(() -> {
            Copying c = partitions.get(source);
            if (c != null) {
                c.stopOffset = stopOffset;
                c.spec.progress().stopOffset(stopOffset);
            }
        });
    }

    /** Removes partitions and completes once nothing of theirs is in flight. */
    CompletableFuture<Void> remove(Set<TopicPartition> sources) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        submit(() -> {
            try {
                if (partitions.keySet().removeAll(sources) && !closed) {
                    assign();
                    flush();
                }
            } finally {
                done.complete(null);
            }
        });
        return done;
    }

    void stop() {
        running = false;
        wake();
    }

    private void submit(Runnable command) {
        commands.add(command);
        if (closed) {
            runCommands();
        }
        wake();
    }

    /** Ends an idle wait; a running poll returns within {@link #POLL} anyway. */
    private void wake() {
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    // ---- the copy thread ----

    @Override
    public void run() {
        try {
            consumer = KafkaClients.replicationConsumer(sourceProperties, name);
            producer = KafkaClients.replicationProducer(destinationProperties, name);
            while (running) {
                try {
                    step();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    running = false;
                } catch (Exception e) {
                    LOG.errorf(e, "Copy task %s failed; restarting its partitions after %s", name, fenceInterval);
                    fence();
                }
            }
        } finally {
            runCommands();
            closeClients();
            closed = true;
            runCommands();
        }
    }

    private void step() throws InterruptedException {
        runCommands();
        Failure failure = producerFailure.get();
        if (failure != null) {
            if (failure.generation() == generation) {
                LOG.warnf("Copy task %s: write failed (%s); fencing for %s and resuming from the mirror's end "
                        + "offsets", name, KafkaErrors.describe(failure.error()), fenceInterval);
                fence();
                return;
            }
            producerFailure.compareAndSet(failure, null);
        }
        reportDivergences();
        setUpPending();
        if (consumer.assignment().isEmpty()) {
            synchronized (signal) {
                if (commands.isEmpty() && running) {
                    signal.wait(partitions.isEmpty() ? 1000 : SETUP_RETRY_MS);
                }
            }
            return;
        }
        ConsumerRecords<byte[], byte[]> records;
        try {
            records = consumer.poll(POLL);
        } catch (OffsetOutOfRangeException e) {
            handleOutOfRange(e.offsetOutOfRangePartitions().keySet());
            return;
        }
        for (TopicPartition tp : records.partitions()) {
            Copying c = partitions.get(tp);
            if (c == null || !c.ready || c.divergence != null) {
                continue;
            }
            copy(c, records.records(tp));
        }
        updatePositions();
    }

    private void copy(Copying c, List<ConsumerRecord<byte[], byte[]>> records) {
        RecordCopier.Sink sink = sink(c);
        for (ConsumerRecord<byte[], byte[]> r : records) {
            long next = RecordCopier.copy(r, c.next, c.stopOffset, sink);
            if (next < 0) {
                consumer.pause(List.of(c.spec.source()));
                break;
            }
            c.next = next;
        }
    }

    private RecordCopier.Sink sink(Copying c) {
        AckChecker acks = c.acks;
        TopicPartition destination = c.spec.destination();
        return (key, value, timestamp, headers, expected) -> {
            acks.sending(expected);
            c.spec.progress().beforeSend();
            try {
                producer.send(new ProducerRecord<>(destination.topic(), destination.partition(), timestamp, key,
                        value, headers), acks);
            } catch (RuntimeException e) {
                c.spec.progress().failedSend();
                producerFailure.compareAndSet(null, new Failure(acks.generation, e));
                throw e;
            }
        };
    }

    /**
     * The callback of every write to one mirror partition in one producer generation. Writes to a
     * partition are consecutive offsets and an idempotent producer acknowledges them in order, so
     * the n-th acknowledgement must carry the n-th offset; anything else means another writer.
     */
    private final class AckChecker implements Callback {
        private final Copying c;
        private final int generation;
        /** Next offset to be acknowledged: producer network thread only. */
        private long expected;
        /** Next offset to be sent: copy thread only. */
        private long sendNext;

        AckChecker(Copying c, int generation, long first) {
            this.c = c;
            this.generation = generation;
            this.expected = first;
            this.sendNext = first;
        }

        void sending(long offset) {
            if (offset != sendNext) {
                throw new IllegalStateException("write for offset " + offset + " of " + c.spec.destination()
                        + " is out of sequence: expected " + sendNext);
            }
            sendNext++;
        }

        @Override
        public void onCompletion(RecordMetadata metadata, Exception error) {
            PartitionProgress progress = c.spec.progress();
            long offset = expected++;
            if (error != null) {
                progress.failedSend();
                producerFailure.compareAndSet(null, new Failure(generation, error));
                wake();
            } else if (metadata.offset() != offset) {
                progress.failedSend();
                if (c.divergence == null) {
                    c.divergence = "source offset " + offset + " of partition " + c.spec.destination().partition()
                            + " was written at offset " + metadata.offset()
                            + " of the mirror: another client wrote to the mirror topic";
                }
                wake();
            } else {
                progress.acknowledged(offset + 1);
            }
        }
    }

    private void updatePositions() {
        for (Copying c : partitions.values()) {
            if (!c.ready) {
                continue;
            }
            TopicPartition tp = c.spec.source();
            long position = consumer.position(tp);
            PartitionProgress progress = c.spec.progress();
            progress.sentUpTo(position);
            consumer.currentLag(tp).ifPresent(lag -> progress.sourceEnd(position + lag));
        }
    }

    private void reportDivergences() {
        List<Long> failed = new ArrayList<>();
        for (Copying c : partitions.values()) {
            if (c.divergence != null && !failed.contains(c.spec.mirrorId())) {
                failed.add(c.spec.mirrorId());
                listener.failed(c.spec.mirrorId(), MirrorTopicError.ILLEGAL_STATE, c.divergence);
            }
        }
        if (!failed.isEmpty()) {
            partitions.values().removeIf(c -> failed.contains(c.spec.mirrorId()));
            assign();
        }
    }

    /** Aligns and positions partitions that are new or restarting; retries later on failure. */
    private void setUpPending() {
        long now = System.currentTimeMillis();
        boolean changed = false;
        for (Copying c : partitions.values()) {
            if (c.ready || now < c.retryAt) {
                continue;
            }
            try {
                setUp(c);
                changed = true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
                return;
            } catch (Exception e) {
                c.retryAt = now + SETUP_RETRY_MS;
                LOG.debugf("Copy task %s: %s not ready yet: %s", name, c.spec.destination(), KafkaErrors.describe(e));
            }
        }
        if (changed) {
            assign();
        }
    }

    /**
     * Reads the mirror partition's end offset; if it is below the start offset, writes fillers up
     * to it and deletes them, so the mirror starts exactly where the source copy starts.
     */
    private void setUp(Copying c) throws Exception {
        TopicPartition destination = c.spec.destination();
        long end = offset(destination, OffsetSpec.latest());
        long start = c.spec.startOffset();
        c.acks = new AckChecker(c, generation, end);
        if (end < start) {
            LOG.infof("Aligning %s: writing %d filler records so the mirror starts at offset %d", destination,
                    start - end, start);
            RecordCopier.fillRange(end, start, System.currentTimeMillis(), sink(c));
            flush();
            checkProducer();
            end = offset(destination, OffsetSpec.latest());
            if (end != start) {
                throw new IllegalStateException("alignment of " + destination + " ended at " + end + ", not " + start);
            }
        }
        if (start > 0 && offset(destination, OffsetSpec.earliest()) < start) {
            deleteBefore(destination, start);
        }
        c.next = end;
        // A fetch below the source log start is not reliably refused by the broker (records still in
        // the segment may be served), so a (re)started partition checks it explicitly.
        long sourceStart = consumer.beginningOffsets(List.of(c.spec.source())).get(c.spec.source());
        if (end < sourceStart) {
            skipDeleted(c, sourceStart);
            end = sourceStart;
        }
        c.ready = true;
        c.positioned = false;
        c.spec.progress().reset(end);
        c.spec.progress().aligned(true);
    }

    private void handleOutOfRange(Set<TopicPartition> sources) throws InterruptedException {
        for (TopicPartition tp : sources) {
            Copying c = partitions.get(tp);
            if (c == null) {
                continue;
            }
            long sourceStart = consumer.beginningOffsets(List.of(tp)).get(tp);
            long sourceEnd = consumer.endOffsets(List.of(tp)).get(tp);
            if (c.next < sourceStart) {
                try {
                    skipDeleted(c, sourceStart);
                } catch (InterruptedException e) {
                    throw e;
                } catch (Exception e) {
                    LOG.warnf("Copy task %s: cannot skip deleted records of %s yet: %s", name, tp,
                            KafkaErrors.describe(e));
                    c.ready = false;
                    c.retryAt = System.currentTimeMillis() + SETUP_RETRY_MS;
                    continue;
                }
                consumer.seek(tp, sourceStart);
            } else if (c.next > sourceEnd) {
                partitions.remove(tp);
                listener.failed(c.spec.mirrorId(), MirrorTopicError.UNEXPECTED_TRUNCATION, "source partition "
                        + tp.partition() + " ends at offset " + sourceEnd + ", below the mirror's end offset " + c.next
                        + ": the source was truncated or re-created");
            } else {
                consumer.seek(tp, c.next);
            }
        }
        assign();
    }

    /**
     * The source deleted records before they were copied: fill the mirror up to the source log
     * start and delete the fillers, so the mirror starts where the source does, and report it.
     */
    private void skipDeleted(Copying c, long sourceStart) throws Exception {
        long skipped = sourceStart - c.next;
        RecordCopier.fillRange(c.next, sourceStart, System.currentTimeMillis(), sink(c));
        flush();
        checkProducer();
        c.next = sourceStart;
        deleteBefore(c.spec.destination(), sourceStart);
        listener.recordsSkipped(c.spec.mirrorId(), c.spec.source().partition(), skipped, sourceStart);
    }

    private void checkProducer() throws Exception {
        Failure f = producerFailure.get();
        if (f != null && f.generation() == generation) {
            throw f.error();
        }
        for (Copying c : partitions.values()) {
            if (c.divergence != null) {
                throw new IllegalStateException(c.divergence);
            }
        }
    }

    private long offset(TopicPartition tp, OffsetSpec spec) throws Exception {
        return KafkaClients.offsets(destinationAdmin, Set.of(tp), spec, IsolationLevel.READ_UNCOMMITTED,
                ADMIN_TIMEOUT).get(tp);
    }

    private void deleteBefore(TopicPartition tp, long offset) throws Exception {
        destinationAdmin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(offset))).all()
                .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Assigns the ready partitions and seeks the newly positioned ones to their next offset. */
    private void assign() {
        Set<TopicPartition> wanted = new HashSet<>();
        for (Copying c : partitions.values()) {
            if (c.ready) {
                wanted.add(c.spec.source());
            }
        }
        if (!wanted.equals(consumer.assignment())) {
            consumer.assign(wanted);
        }
        List<TopicPartition> resume = new ArrayList<>();
        for (Copying c : partitions.values()) {
            if (c.ready && !c.positioned) {
                consumer.seek(c.spec.source(), c.next);
                c.positioned = true;
                resume.add(c.spec.source());
            }
        }
        consumer.resume(resume);
    }

    private void flush() {
        if (producer != null) {
            producer.flush();
        }
    }

    /**
     * After a failed write: drop the producer and everything in flight, wait the fence interval,
     * then restart every partition from its destination end offset with a new producer.
     */
    private void fence() {
        generation++;
        producerFailure.set(null);
        if (producer != null) {
            producer.close(Duration.ZERO);
        }
        for (Copying c : partitions.values()) {
            c.ready = false;
            c.retryAt = 0;
        }
        try {
            consumer.assign(List.of());
        } catch (RuntimeException e) {
            LOG.debugf("Copy task %s: unassign failed: %s", name, e.getMessage());
        }
        sleep(fenceInterval);
        producer = KafkaClients.replicationProducer(destinationProperties, name);
    }

    private void sleep(Duration d) {
        long until = System.currentTimeMillis() + d.toMillis();
        synchronized (signal) {
            long left;
            while (running && (left = until - System.currentTimeMillis()) > 0) {
                try {
                    signal.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    running = false;
                }
            }
        }
    }

    private void runCommands() {
        Runnable command;
        while ((command = commands.poll()) != null) {
            try {
                command.run();
            } catch (RuntimeException e) {
                LOG.warnf(e, "Copy task %s: command failed", name);
            }
        }
    }

    private void closeClients() {
        try {
            if (producer != null) {
                producer.close(Duration.ofSeconds(10));
            }
        } catch (RuntimeException e) {
            LOG.debugf("Copy task %s: producer close failed: %s", name, e.getMessage());
        }
        try {
            if (consumer != null) {
                consumer.close(Duration.ofSeconds(5));
            }
        } catch (RuntimeException e) {
            LOG.debugf("Copy task %s: consumer close failed: %s", name, e.getMessage());
        }
    }
}
