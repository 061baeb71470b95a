package io.clusterlink.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.Map;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.metrics.JmxReporter;
import org.apache.kafka.common.record.CompressionType;
import org.junit.jupiter.api.Test;

/** The replication producer never drops a batch on its own, whatever the destination's properties say. */
class KafkaClientsTest {

    @Test
    void theReplicationProducerHasNoDeliveryTimeoutAndRetriesForeverEvenIfTheDestinationPropertiesSayOtherwise() {
        Map<String, Object> destination = Map.of("bootstrap.servers", "localhost:9092",
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000, ProducerConfig.RETRIES_CONFIG, 3,
                ProducerConfig.ACKS_CONFIG, "1", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
                ProducerConfig.LINGER_MS_CONFIG, 20, "not.a.producer.config", "x");

        Map<String, Object> configs = KafkaClients.replicationProducerConfigs(destination, "r", CompressionType.LZ4,
                2_000_000);

        assertThat(configs).containsEntry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.MAX_VALUE)
                .containsEntry(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE)
                .containsEntry(ProducerConfig.ACKS_CONFIG, "all")
                .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
                .containsEntry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4")
                .containsEntry(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2_000_000)
                .containsEntry(ProducerConfig.LINGER_MS_CONFIG, 20)
                .doesNotContainKey("not.a.producer.config");
    }

    @Test
    void replicationClientsRegisterNoMetricMBeansUnlessReportersAreConfigured() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Map<String, Object> cluster = Map.of("bootstrap.servers", "127.0.0.1:1");

        // When a replication consumer and producer are made with the cluster's properties alone
        try (var consumer = KafkaClients.replicationConsumer(cluster, "jmx-test-consumer");
                var producer = KafkaClients.replicationProducer(cluster, "jmx-test-producer", CompressionType.NONE,
                        1_000_000)) {
            // Then neither has a metrics MBean, and their metrics are still readable in process
            assertThat(server.queryNames(new ObjectName("kafka.consumer:type=consumer-metrics,client-id="
                    + "jmx-test-consumer"), null)).isEmpty();
            assertThat(server.queryNames(new ObjectName("kafka.producer:type=producer-metrics,client-id="
                    + "jmx-test-producer"), null)).isEmpty();
            assertThat(producer.metrics()).isNotEmpty();
        }

        // When the properties name the JMX reporter, it is kept
        Map<String, Object> withJmx = Map.of("bootstrap.servers", "127.0.0.1:1",
                CommonClientConfigs.METRIC_REPORTER_CLASSES_CONFIG, JmxReporter.class.getName());
        try (var consumer = KafkaClients.replicationConsumer(withJmx, "jmx-test-reporting")) {
            assertThat(server.queryNames(new ObjectName("kafka.consumer:type=consumer-metrics,client-id="
                    + "jmx-test-reporting"), null)).hasSize(1);
        }
    }
}
