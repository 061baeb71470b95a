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
        Map<String, TopicDescription> result = new HashMap<>();
        if (topics.isEmpty()) {
            return result;
        }
        Map<String, KafkaFuture<TopicDescription>> futures = admin.describeTopics(topics,
                new DescribeTopicsOptions().timeoutMs((int) timeout.toMillis())).topicNameValues();
        for (Map.Entry<String, KafkaFuture<TopicDescription>> e : futures.entrySet()) {
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

    /** Configs of the topics that exist; a missing topic is left out. */
    public static Map<String, Config> configs(Admin admin, Set<String> topics, Duration timeout) {
        Map<String, Config> result = new HashMap<>();
        if (topics.isEmpty()) {
            return result;
        }
        Map<ConfigResource, KafkaFuture<Config>> futures = admin.describeConfigs(topics.stream()
                .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList(),
                new DescribeConfigsOptions().timeoutMs((int) timeout.toMillis())).values();
        for (Map.Entry<ConfigResource, KafkaFuture<Config>> e : futures.entrySet()) {
            try {
                result.put(e.getKey().name(), KafkaFutures.await(e.getValue(), timeout));
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
        Map<TopicPartition, OffsetSpec> request = partitions.stream()
                .collect(Collectors.toMap(Function.identity(), tp -> OffsetSpec.maxTimestamp()));
        ListOffsetsOptions options = new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED);
        options.timeoutMs((int) timeout.toMillis());
        return KafkaFutures.await(admin.listOffsets(request, options).all(), timeout).entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().timestamp()));
    }

    public static Map<TopicPartition, Long> offsets(Admin admin, Set<TopicPartition> partitions, OffsetSpec spec,
            IsolationLevel isolation, Duration timeout) {
        if (partitions.isEmpty()) {
            return Map.of();
        }
        Map<TopicPartition, OffsetSpec> request = partitions.stream()
                .collect(Collectors.toMap(Function.identity(), tp -> spec));
        ListOffsetsOptions options = new ListOffsetsOptions(isolation);
        options.timeoutMs((int) timeout.toMillis());
        return KafkaFutures.await(admin.listOffsets(request, options).all(), timeout).entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }
}
