package io.clusterlink.replication;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

import org.apache.kafka.clients.ApiVersions;
import org.apache.kafka.clients.ClientRequest;
import org.apache.kafka.clients.ClientResponse;
import org.apache.kafka.clients.ClientUtils;
import org.apache.kafka.clients.NetworkClient;
import org.apache.kafka.clients.NetworkClientUtils;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.internals.ProducerMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.internals.ClusterResourceListeners;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MemoryRecordsBuilder;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Crc32C;
import org.apache.kafka.common.utils.LogContext;
import org.apache.kafka.common.utils.Time;

/**
 * A {@link Filler} that writes its records without a Kafka producer: it builds each batch of
 * minimal records itself (zstd, tens of thousands of records a batch) and sends it as an idempotent
 * produce request, one at a time, to the partition's leader, over the Kafka client's own network
 * client (so security and protocol versions are the client's). A producer pays per record for
 * bookkeeping that identical fillers do not need; this writes some millions of offsets a second.
 * <p>
 * Each batch carries its producer id, epoch and sequence: a batch sent again after a timeout or a
 * leader change is not appended twice.
 */
final class RawFiller implements Filler {

    private static final byte[] EMPTY = new byte[0];
    private static final int MAX_ATTEMPTS = 20;
    // Where a v2 record batch keeps what differs between filler batches (DefaultRecordBatch's layout).
    private static final int CRC_OFFSET = 17;
    private static final int ATTRIBUTES_OFFSET = 21;
    private static final int PRODUCER_ID_OFFSET = 43;
    private static final int PRODUCER_EPOCH_OFFSET = 51;
    private static final int BASE_SEQUENCE_OFFSET = 53;

    private final Time time = Time.SYSTEM;
    private final Metrics metrics = new Metrics();
    private final ProducerMetadata metadata;
    private final NetworkClient client;
    private final int recordsPerBatch;
    private final long timeoutMs;
    private long producerId = RecordBatch.NO_PRODUCER_ID;
    private short epoch;
    private int sequence;
    private final Map<Integer, ByteBuffer> templates = new HashMap<>();

    /**
     * @param properties destination client properties (bootstrap servers, security)
     * @param maxBatchBytes the largest batch the destination takes; batches stay well below it
     */
    RawFiller(Map<String, Object> properties, int maxBatchBytes, Duration timeout) {
        Map<String, Object> p = new HashMap<>(properties);
        p.keySet().retainAll(ProducerConfig.configNames());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "clusterlink-align");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        ProducerConfig config = new ProducerConfig(p);
        LogContext log = new LogContext("[clusterlink filler] ");
        this.timeoutMs = timeout.toMillis();
        this.metadata = new ProducerMetadata(config.getLong(ProducerConfig.RETRY_BACKOFF_MS_CONFIG),
                config.getLong(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG),
                config.getLong(ProducerConfig.METADATA_MAX_AGE_CONFIG),
                config.getLong(ProducerConfig.METADATA_MAX_IDLE_CONFIG), log, new ClusterResourceListeners(), time);
        metadata.bootstrap(ClientUtils.parseAndValidateAddresses(config));
        this.client = ClientUtils.createNetworkClient(config, metrics, "producer", log, new ApiVersions(), time, 1,
                metadata, null, null);
        // A minimal record takes about eight bytes before compression; zstd shrinks a batch of them
        // to almost nothing, but the broker checks the batch as received, compressed.
        this.recordsPerBatch = (int) Math.min(200_000, Math.max(1_000, maxBatchBytes / 16L));
    }

    @Override
    public long fill(TopicPartition partition, long count, BooleanSupplier cancelled, LongConsumer written) {
        long done = 0;
        try {
            ensureProducerId();
            while (done < count && !cancelled.getAsBoolean()) {
                int n = (int) Math.min(recordsPerBatch, count - done);
                if ((long) sequence + n > Integer.MAX_VALUE) {
                    producerId = RecordBatch.NO_PRODUCER_ID;
                    ensureProducerId();
                }
                send(partition, batch(n));
                sequence += n;
                done += n;
                written.accept(done);
            }
            return done;
        } catch (IOException e) {
            throw new IllegalStateException("filler writes to " + partition + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * A batch of {@code n} fillers at the current sequence. Batches of one size differ only in
     * their sequence (and so their checksum): one is built per size and copied with those patched.
     */
    private MemoryRecords batch(int n) {
        ByteBuffer template = templates.computeIfAbsent(n, size -> {
            MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(Math.max(1024, size / 8)),
                    RecordBatch.CURRENT_MAGIC_VALUE, Compression.zstd().build(), TimestampType.CREATE_TIME, 0L, 0L,
                    producerId, epoch, 0, false, RecordBatch.NO_PARTITION_LEADER_EPOCH);
            for (int i = 0; i < size; i++) {
                builder.append(0L, EMPTY, null);
            }
            return builder.build().buffer();
        });
        ByteBuffer copy = ByteBuffer.allocate(template.remaining());
        copy.put(template.duplicate());
        copy.flip();
        copy.putLong(PRODUCER_ID_OFFSET, producerId);
        copy.putShort(PRODUCER_EPOCH_OFFSET, epoch);
        copy.putInt(BASE_SEQUENCE_OFFSET, sequence);
        long crc = Crc32C.compute(copy, ATTRIBUTES_OFFSET, copy.limit() - ATTRIBUTES_OFFSET);
        copy.putInt(CRC_OFFSET, (int) crc);
        return MemoryRecords.readableRecords(copy);
    }

    /** Sends one batch to the partition's leader until it is acknowledged (resent with the same sequence). */
    private void send(TopicPartition tp, MemoryRecords records) throws IOException {
        String error = null;
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Node leader = leader(tp);
            Uuid topicId = metadata.fetch().topicId(tp.topic());
            ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
            ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData().setName(tp.topic())
                    .setTopicId(topicId == null ? Uuid.ZERO_UUID : topicId);
            topic.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(tp.partition())
                    .setRecords(records));
            topics.add(topic);
            ProduceRequest.Builder request = ProduceRequest.builder(new ProduceRequestData().setAcks((short) -1)
                    .setTimeoutMs((int) timeoutMs).setTopicData(topics));
            ClientResponse response;
            try {
                ready(leader);
                ClientRequest clientRequest = client.newClientRequest(leader.idString(), request, time.milliseconds(),
                        true, (int) timeoutMs, null);
                response = NetworkClientUtils.sendAndReceive(client, clientRequest, time);
            } catch (IOException e) {
                error = e.getMessage();
                metadata.requestUpdate(false);
                continue;
            }
            if (response.wasDisconnected() || response.wasTimedOut()) {
                error = "disconnected from " + leader;
                metadata.requestUpdate(false);
                continue;
            }
            Errors result = partitionError((ProduceResponse) response.responseBody());
            if (result == Errors.NONE || result == Errors.DUPLICATE_SEQUENCE_NUMBER) {
                return;
            }
            if (!(result.exception() instanceof RetriableException)) {
                throw new IOException("the destination refused filler records: " + result.message());
            }
            error = result.message();
            metadata.requestUpdate(false);
            time.sleep(100);
        }
        throw new IOException("filler records were not acknowledged after " + MAX_ATTEMPTS + " attempts: " + error);
    }

    private static Errors partitionError(ProduceResponse response) {
        for (ProduceResponseData.TopicProduceResponse topic : response.data().responses()) {
            for (ProduceResponseData.PartitionProduceResponse p : topic.partitionResponses()) {
                return Errors.forCode(p.errorCode());
            }
        }
        return Errors.UNKNOWN_SERVER_ERROR;
    }

    private void ensureProducerId() throws IOException {
        if (producerId != RecordBatch.NO_PRODUCER_ID) {
            return;
        }
        long deadline = time.milliseconds() + timeoutMs;
        while (time.milliseconds() < deadline) {
            Node node = client.leastLoadedNode(time.milliseconds()).node();
            if (node == null) {
                client.poll(100, time.milliseconds());
                continue;
            }
            ready(node);
            ClientRequest request = client.newClientRequest(node.idString(), new InitProducerIdRequest.Builder(
                    new InitProducerIdRequestData().setTransactionalId(null)
                            .setTransactionTimeoutMs(Integer.MAX_VALUE)),
                    time.milliseconds(), true, (int) timeoutMs, null);
            ClientResponse response = NetworkClientUtils.sendAndReceive(client, request, time);
            if (response.responseBody() instanceof InitProducerIdResponse init && init.error() == Errors.NONE) {
                producerId = init.data().producerId();
                epoch = init.data().producerEpoch();
                sequence = 0;
                return;
            }
            time.sleep(100);
        }
        throw new IOException("no producer id from the destination within " + timeoutMs + " ms");
    }

    private Node leader(TopicPartition tp) throws IOException {
        long deadline = time.milliseconds() + timeoutMs;
        metadata.add(tp.topic(), time.milliseconds());
        while (time.milliseconds() < deadline) {
            Node leader = metadata.fetch().leaderFor(tp);
            if (leader != null) {
                return leader;
            }
            metadata.requestUpdateForTopic(tp.topic());
            client.poll(100, time.milliseconds());
        }
        throw new IOException("no leader for " + tp + " within " + timeoutMs + " ms");
    }

    private void ready(Node node) throws IOException {
        if (!NetworkClientUtils.awaitReady(client, node, time, timeoutMs)) {
            throw new IOException("cannot connect to " + node + " within " + timeoutMs + " ms");
        }
    }

    @Override
    public void close() {
        client.close();
        metadata.close();
        metrics.close();
    }
}
