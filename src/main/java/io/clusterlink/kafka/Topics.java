package io.clusterlink.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;

/**
 * Admin calls both sides make the same way, on any Admin client: the gateways' and the copy
 * threads' own. Failures are {@link KafkaCallException}s.
 */
public final class Topics {

    private Topics() {
    }

    /** Descriptions of the topics that exist; a missing topic is left out. */
    public static Map<String, TopicDescription> descriptions(Admin admin, Collection<String> topics,
            Duration timeout) {
        return describing(admin, topics, timeout).await();
    }

    /** {@link #descriptions}, asked for now and awaited later. */
    public static Pending<Map<String, TopicDescription>> describing(Admin admin, Collection<String> topics,
            Duration timeout) {
        if (topics.isEmpty()) {
            return HashMap::new;
        }
        Map<String, KafkaFuture<TopicDescription>> futures = admin.describeTopics(topics,
                new DescribeTopicsOptions().timeoutMs((int) timeout.toMillis())).topicNameValues();
        return () -> existing(futures, timeout);
    }

    /** Configs of the topics that exist; a missing topic is left out. */
    public static Map<String, Config> configs(Admin admin, Set<String> topics, Duration timeout) {
        return configsOf(admin, topics, timeout).await();
    }

    /** {@link #configs}, asked for now and awaited later. */
    public static Pending<Map<String, Config>> configsOf(Admin admin, Set<String> topics, Duration timeout) {
        if (topics.isEmpty()) {
            return HashMap::new;
        }
        Map<ConfigResource, KafkaFuture<Config>> futures = admin.describeConfigs(topics.stream()
                .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList(),
                new DescribeConfigsOptions().timeoutMs((int) timeout.toMillis())).values();
        return () -> {
            Map<String, Config> result = new HashMap<>();
            existing(futures, timeout).forEach((resource, config) -> result.put(resource.name(), config));
            return result;
        };
    }

    /** The answers of the futures, less those whose topic (or partition) does not exist. */
    private static <K, V> Map<K, V> existing(Map<K, KafkaFuture<V>> futures, Duration timeout) {
        Map<K, V> result = new HashMap<>();
        for (Map.Entry<K, KafkaFuture<V>> e : futures.entrySet()) {
            try {
                result.put(e.getKey(), KafkaFutures.await(e.getValue(), timeout));
            } catch (KafkaCallException ex) {
                if (!ex.is(KafkaErrors.Kind.UNKNOWN_TOPIC)) {
                    throw ex;
                }
            }
        }
        return result;
    }

    /**
     * The highest record timestamp of each partition ({@link OffsetSpec#maxTimestamp()}), -1 for a
     * partition without records.
     */
    public static Map<TopicPartition, Long> maxTimestamps(Admin admin, Set<TopicPartition> partitions,
            Duration timeout) {
        if (partitions.isEmpty()) {
            return Map.of();
        }
        return KafkaFutures.await(listOffsets(admin, partitions, OffsetSpec.maxTimestamp(),
                IsolationLevel.READ_UNCOMMITTED, timeout).all(), timeout).entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().timestamp()));
    }

    public static Map<TopicPartition, Long> offsets(Admin admin, Set<TopicPartition> partitions, OffsetSpec spec,
            IsolationLevel isolation, Duration timeout) {
        return offsetsOf(admin, partitions, spec, isolation, timeout).await();
    }

    /** {@link #offsets}, asked for now and awaited later. */
    public static Pending<Map<TopicPartition, Long>> offsetsOf(Admin admin, Set<TopicPartition> partitions,
            OffsetSpec spec, IsolationLevel isolation, Duration timeout) {
        if (partitions.isEmpty()) {
            return Map::of;
        }
        KafkaFuture<Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo>> all = listOffsets(admin,
                partitions, spec, isolation, timeout).all();
        return () -> KafkaFutures.await(all, timeout).entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }

    /**
     * {@link #offsetsOf}, for partitions of topics that may not exist (any more): those whose topic
     * or partition is unknown are left out of the answer instead of failing it.
     */
    public static Pending<Map<TopicPartition, Long>> offsetsOfExisting(Admin admin, Set<TopicPartition> partitions,
            OffsetSpec spec, IsolationLevel isolation, Duration timeout) {
        if (partitions.isEmpty()) {
            return Map::of;
        }
        ListOffsetsResult result = listOffsets(admin, partitions, spec, isolation, timeout);
        Map<TopicPartition, KafkaFuture<ListOffsetsResult.ListOffsetsResultInfo>> futures = new HashMap<>();
        partitions.forEach(tp -> futures.put(tp, result.partitionResult(tp)));
        return () -> {
            Map<TopicPartition, Long> offsets = new HashMap<>();
            existing(futures, timeout).forEach((tp, info) -> offsets.put(tp, info.offset()));
            return offsets;
        };
    }

    private static ListOffsetsResult listOffsets(Admin admin, Set<TopicPartition> partitions, OffsetSpec spec,
            IsolationLevel isolation, Duration timeout) {
        Map<TopicPartition, OffsetSpec> request = partitions.stream()
                .collect(Collectors.toMap(Function.identity(), tp -> spec));
        ListOffsetsOptions options = new ListOffsetsOptions(isolation);
        options.timeoutMs((int) timeout.toMillis());
        return admin.listOffsets(request, options);
    }
}
