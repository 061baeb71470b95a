package io.clusterlink.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.apache.kafka.clients.producer.ProducerConfig;
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
}
