package io.clusterlink.packaged;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.clusterlink.testing.KafkaClusters;
import io.clusterlink.testing.ServiceProcess;
import io.clusterlink.testing.TempDirectories;

/** The packaged service logs one JSON object per line when asked to (QUARKUS_LOG_CONSOLE_JSON_ENABLED=true). */
class JsonLoggingIT {

    private final KafkaClusters kafka = KafkaClusters.get();

    @Test
    void everyConsoleLineIsAJsonObjectWithLevelLoggerAndMessage() throws Exception {
        Path root = Files.createTempDirectory("clusterlink-json-log");
        ServiceProcess service = new ServiceProcess(root.resolve("service"), Map.of(
                "clusterlink.clusters.destination.bootstrap-servers", kafka.destination().bootstrapServers(),
                "clusterlink.default-cluster", "destination",
                "quarkus.log.console.json.enabled", "true"));
        try {
            service.start();
        } finally {
            service.stop();
        }
        List<String> lines = Files.readAllLines(service.log()).stream()
                .filter(l -> l.startsWith("{")).toList();
        ObjectMapper json = new ObjectMapper();
        assertThat(lines).isNotEmpty();
        boolean started = false;
        for (String line : lines) {
            JsonNode entry = json.readTree(line);
            assertThat(entry.has("level") && entry.has("loggerName") && entry.has("message")).as(line).isTrue();
            started |= entry.get("message").asText().contains("started in");
        }
        assertThat(started).as("the start is logged as JSON").isTrue();
        assertThat(Files.readAllLines(service.log()).stream().filter(l -> l.contains(" INFO  ["))).as(
                "no plain-text log lines").isEmpty();
        TempDirectories.deleteRecursively(root);
    }
}
