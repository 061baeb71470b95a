package io.clusterlink.kafka.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** Broker ports are picked below the operating system's ephemeral range, where no client socket is given one. */
class FreePortsTest {

    private static final Path RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

    @Test
    void picksPortsBelowTheEphemeralRangeOfTheOperatingSystem() throws Exception {
        // Given the ephemeral range of this machine (Linux)
        assumeTrue(Files.exists(RANGE), "no " + RANGE + " on this operating system");
        int first;
        try (BufferedReader reader = Files.newBufferedReader(RANGE)) {
            first = Integer.parseInt(reader.readLine().trim().split("\\s+")[0]);
        }

        // When ports are picked
        int start = LocalKafkaCluster.FreePorts.ephemeralStart();
        int a = LocalKafkaCluster.FreePorts.pick();
        int b = LocalKafkaCluster.FreePorts.pick();

        // Then the range is read whole, and every port is below it, and none twice
        assertThat(start).isEqualTo(first);
        assertThat(a).isBetween(10_000, first - 1);
        assertThat(b).isBetween(10_000, first - 1).isNotEqualTo(a);
    }
}
