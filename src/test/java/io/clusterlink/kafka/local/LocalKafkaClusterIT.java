package io.clusterlink.kafka.local;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.clusterlink.testing.KafkaClusters;

class LocalKafkaClusterIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dataDir;

    @Test
    void keepsRecordsAndPortAcrossKillAndRestart() throws Exception {
        // Given
        try (LocalKafkaCluster cluster = LocalKafkaCluster.builder("it").dataDir(dataDir).build()) {
            cluster.start();
            String bootstrap = cluster.bootstrapServers();
            String clusterId = cluster.clusterId();
            long firstPid = cluster.pid();
            KafkaClusters.createTopic(cluster, "keyed", 2, Map.of());
            try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(cluster, Map.of())) {
                for (int i = 0; i < 10; i++) {
                    RecordHeaders headers = new RecordHeaders(
                            List.of(new RecordHeader("n", bytes("h" + i)), new RecordHeader("x", null)));
                    producer.send(
                            new ProducerRecord<>("keyed", i % 2, 1_000L + i, bytes("k" + i), bytes("v" + i), headers))
                            .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
            List<ConsumerRecord<byte[], byte[]>> written = KafkaClusters.readAll(cluster, "keyed",
                    IsolationLevel.READ_COMMITTED, TIMEOUT);

            // When
            cluster.kill();
            assertThat(cluster.isRunning()).isFalse();
            cluster.start();

            // Then
            assertThat(cluster.pid()).isNotEqualTo(firstPid);
            assertThat(cluster.bootstrapServers()).isEqualTo(bootstrap);
            assertThat(cluster.clusterId()).isEqualTo(clusterId);
            List<ConsumerRecord<byte[], byte[]>> read = KafkaClusters.readAll(cluster, "keyed",
                    IsolationLevel.READ_COMMITTED, TIMEOUT);
            assertThat(written).hasSize(10);
            assertThat(read).hasSize(10);
            for (int i = 0; i < read.size(); i++) {
                ConsumerRecord<byte[], byte[]> record = read.get(i);
                int n = (int) (record.timestamp() - 1_000L);
                assertThat(record.partition()).isEqualTo(n % 2);
                assertThat(record.offset()).isEqualTo(written.get(i).offset());
                assertThat(record.key()).isEqualTo(bytes("k" + n));
                assertThat(record.value()).isEqualTo(bytes("v" + n));
                assertThat(record.headers().toArray()).containsExactly(new RecordHeader("n", bytes("h" + n)),
                        new RecordHeader("x", null));
            }
            assertThat(KafkaClusters.endOffsets(cluster, "keyed")).containsValues(5L, 5L);

            cluster.stop();
            assertThat(cluster.isRunning()).isFalse();
        }
    }

    @Test
    void missingLibDirFailsWithHowToGetIt() {
        assertThatThrownBy(
                () -> LocalKafkaCluster.builder("x").dataDir(dataDir).libDir(dataDir.resolve("none")).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("./mvnw generate-resources");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }
}
