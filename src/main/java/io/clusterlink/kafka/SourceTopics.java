package io.clusterlink.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;

import io.clusterlink.link.Link;

/**
 * What the control plane reads from a link's source cluster: topic ids, partition counts,
 * configs, offsets, topic names and the cluster id. Failures are {@link KafkaCallException}s.
 */
@ApplicationScoped
public class SourceTopics {

    /** A source topic as a mirror needs it: its id and partition count. */
    public record Description(String topicId, int partitions) {
    }

    private final SourceClusters sources;

    SourceTopics(SourceClusters sources) {
        this.sources = sources;
    }

    /** Bound on one call ({@code clusterlink.source-timeout}). */
    public Duration timeout() {
        return sources.timeout();
    }

    public Description describe(Link link, String topic) {
        Admin admin = sources.admin(link);
        TopicDescription d = KafkaFutures.await(admin.describeTopics(List.of(topic), new DescribeTopicsOptions()
                .timeoutMs(timeoutMs())).topicNameValues().get(topic), sources.timeout());
        return new Description(d.topicId().toString(), d.partitions().size());
    }

    /** Descriptions of the topics that exist; a missing topic is left out. */
    public Map<String, Description> describeExisting(Link link, Collection<String> topics) {
        Map<String, Description> result = new HashMap<>();
        Topics.descriptions(sources.admin(link), topics, sources.timeout())
                .forEach((name, d) -> result.put(name, new Description(d.topicId().toString(), d.partitions().size())));
        return result;
    }

    public Config config(Link link, String topic) {
        return config(link, topic, sources.timeout());
    }

    /** Like {@link #config}, with its own (shorter) bound. */
    public Config config(Link link, String topic, Duration timeout) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return KafkaFutures.await(sources.admin(link).describeConfigs(List.of(resource),
                new DescribeConfigsOptions().timeoutMs((int) timeout.toMillis())).all(), timeout).get(resource);
    }

    /** Configs of the topics that exist; a missing topic is left out. */
    public Map<String, Config> configs(Link link, Set<String> topics) {
        return configs(link, topics, sources.timeout());
    }

    /** Like {@link #configs(Link, Set)}, with its own (shorter) bound. */
    public Map<String, Config> configs(Link link, Set<String> topics, Duration timeout) {
        return Topics.configs(sources.admin(link), topics, timeout);
    }

    public Map<TopicPartition, Long> offsets(Link link, Set<TopicPartition> partitions, OffsetSpec spec,
            IsolationLevel isolation) {
        return Topics.offsets(sources.admin(link), partitions, spec, isolation, sources.timeout());
    }

    /** The highest record timestamp of each partition, -1 for one without records. */
    public Map<TopicPartition, Long> maxTimestamps(Link link, Set<TopicPartition> partitions) {
        return Topics.maxTimestamps(sources.admin(link), partitions, sources.timeout());
    }

    public Set<String> names(Link link) {
        return new TreeSet<>(KafkaFutures.await(sources.admin(link)
                .listTopics(new ListTopicsOptions().timeoutMs(timeoutMs())).names(), sources.timeout()));
    }

    /**
     * The source's cluster id, asked within {@code timeout} over a new connection: the
     * availability check. A pooled client's connection stays authenticated after the link's
     * credentials stop working; a new one finds out.
     */
    public String clusterId(Link link, Duration timeout) {
        return sources.withProbe(link.settings().sourceClientProperties(), admin -> KafkaFutures.await(admin
                .describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis())).clusterId(),
                timeout.plusSeconds(1)));
    }

    /**
     * The offset of the first record a {@code read_committed} consumer sees in {@code [from, to)}
     * of a source partition; empty when there is none (only transaction markers or aborted
     * records), read within the source timeout.
     */
    public OptionalLong firstRecord(Link link, TopicPartition tp, long from, long to) {
        if (from >= to) {
            return OptionalLong.empty();
        }
        try (var consumer = KafkaClients.probeConsumer(link.settings().sourceClientProperties(),
                "clusterlink-promote-" + link.name(), IsolationLevel.READ_COMMITTED)) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, from);
            long deadline = System.nanoTime() + sources.timeout().toNanos();
            while (System.nanoTime() < deadline) {
                for (var r : consumer.poll(Duration.ofMillis(100))) {
                    if (r.offset() >= from) {
                        return r.offset() < to ? OptionalLong.of(r.offset()) : OptionalLong.empty();
                    }
                }
                if (consumer.position(tp, sources.timeout()) >= to) {
                    return OptionalLong.empty();
                }
            }
            throw new KafkaCallException(new org.apache.kafka.common.errors.TimeoutException(
                    "could not read source partition " + tp + " from offset " + from + " within " + sources.timeout()));
        } catch (KafkaCallException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new KafkaCallException(KafkaErrors.unwrap(e));
        }
    }

    /**
     * For a link about to be created: connects with its client configs, reads the cluster id and
     * lists the topics (so the credentials are checked); returns the cluster id.
     */
    public String probe(Map<String, Object> clientProperties) {
        return sources.withProbe(clientProperties, admin -> {
            int ms = timeoutMs();
            String id = KafkaFutures.await(admin.describeCluster(new DescribeClusterOptions().timeoutMs(ms))
                    .clusterId(), sources.timeout().plusSeconds(1));
            KafkaFutures.await(admin.listTopics(new ListTopicsOptions().timeoutMs(ms)).names(),
                    sources.timeout().plusSeconds(1));
            return id;
        });
    }

    private int timeoutMs() {
        return (int) sources.timeout().toMillis();
    }
}
