package io.clusterlink.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How --bootstrap-server picks a destination cluster by the bootstrap servers the service has for it. */
class ConnectionTest {

    @Test
    void oneSharedServerOfTheListsIsEnough() {
        assertThat(Connection.sameServers("b2:9092", "b1:9092,b2:9092,b3:9092")).isTrue();
        assertThat(Connection.sameServers("b9:9092, b1:9092", "b1:9092,b2:9092")).isTrue();
    }

    @Test
    void namesCompareWithoutCase() {
        assertThat(Connection.sameServers("Broker-1.Example.COM:9093", "broker-1.example.com:9093")).isTrue();
    }

    @Test
    void aNameMatchesTheAddressItResolvesTo() {
        assertThat(Connection.sameServers("localhost:29092", "127.0.0.1:29092")).isTrue();
    }

    @Test
    void anotherPortIsAnotherCluster() {
        assertThat(Connection.sameServers("127.0.0.1:29093", "127.0.0.1:29092")).isFalse();
        assertThat(Connection.sameServers("localhost:19092", "127.0.0.1:29092")).isFalse();
    }

    @Test
    void aNameThatDoesNotResolveMatchesByNameOnly() {
        assertThat(Connection.sameServers("no-such-host.invalid:9092", "127.0.0.1:9092")).isFalse();
        assertThat(Connection.sameServers("no-such-host.invalid:9092", "no-such-host.invalid:9092")).isTrue();
    }
}
