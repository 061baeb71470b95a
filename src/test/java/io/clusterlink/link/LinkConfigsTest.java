package io.clusterlink.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

class LinkConfigsTest {

    private static final String BOOTSTRAP = "127.0.0.1:9092";

    @Test
    void acceptsClusterLinkingNamesAndSourceClientConfigs() {
        Map<String, String> valid = LinkConfigs.validate(Map.of("bootstrap.servers", BOOTSTRAP,
                "security.protocol", "SASL_SSL", "sasl.mechanism", "PLAIN",
                "sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p\";",
                "consumer.offset.sync.ms", "10000", "mirror.start.offset.spec", "latest"));

        assertThat(valid).containsEntry("consumer.offset.sync.ms", "10000").hasSize(6);
    }

    @Test
    void acceptsTheDestinationAndBidirectionalLinkModesOnly() {
        assertThat(LinkConfigs.validate(Map.of("bootstrap.servers", BOOTSTRAP, "link.mode", "BIDIRECTIONAL")))
                .containsEntry("link.mode", "BIDIRECTIONAL");
        assertThatThrownBy(() -> LinkConfigs.validate(Map.of("bootstrap.servers", BOOTSTRAP, "link.mode", "SOURCE")))
                .hasMessageContaining("'link.mode': must be one of DESTINATION, BIDIRECTIONAL");
    }

    @Test
    void namesEveryUnknownConfig() {
        assertThatThrownBy(
                () -> LinkConfigs.validate(Map.of("bootstrap.servers", BOOTSTRAP, "foo", "1", "bar.baz", "2")))
                .isInstanceOf(ClusterLinkException.InvalidRequest.class)
                .hasMessageContaining("Unknown link configs: bar.baz, foo");
    }

    @Test
    void namesTheConfigWithABadValue() {
        assertThatThrownBy(() -> LinkConfigs.validate(Map.of("bootstrap.servers", BOOTSTRAP, "acl.sync.ms", "abc")))
                .hasMessageContaining("Invalid value 'abc' for link config 'acl.sync.ms': must be a whole number");
        assertThatThrownBy(
                () -> LinkConfigs.validate(Map.of("bootstrap.servers", BOOTSTRAP, "cluster.link.paused", "yes")))
                .hasMessageContaining("'cluster.link.paused': must be true or false");
        assertThatThrownBy(() -> LinkConfigs.validate(Map.of("bootstrap.servers", BOOTSTRAP,
                "mirror.start.offset.spec", "yesterday")))
                .hasMessageContaining(
                        "'mirror.start.offset.spec': must be 'earliest', 'latest' or an ISO-8601 timestamp");
        assertThatThrownBy(() -> LinkConfigs.validate(Map.of("bootstrap.servers", BOOTSTRAP,
                "num.cluster.link.fetchers", "0")))
                .hasMessageContaining("must be between 1 and 16");
    }

    @Test
    void requiresBootstrapServers() {
        assertThatThrownBy(() -> LinkConfigs.validate(Map.of("acl.sync.ms", "5000")))
                .hasMessageContaining("Link config 'bootstrap.servers' is required");
    }

    @Test
    void rejectsASyncEnabledWithoutItsFilter() {
        assertThatThrownBy(() -> LinkConfigs.validate(Map.of("bootstrap.servers", BOOTSTRAP,
                "consumer.offset.sync.enable", "true")))
                .hasMessageContaining("'consumer.offset.sync.enable=true' needs 'consumer.offset.group.filters'");
    }

    @Test
    void rejectsPrefixTogetherWithAclSync() {
        assertThatThrownBy(() -> LinkConfigs.validate(Map.of("bootstrap.servers", BOOTSTRAP,
                "cluster.link.prefix", "dc1.", "acl.sync.enable", "true",
                "acl.filters", FiltersTest.ALL_ACLS)))
                .hasMessageContaining("cannot be used together");
    }

    @Test
    void rejectsAnInvalidSecurityProtocol() {
        assertThatThrownBy(() -> LinkConfigs.validate(Map.of("bootstrap.servers", BOOTSTRAP,
                "security.protocol", "SMOKE_SIGNALS")))
                .hasMessageContaining("Invalid source client config")
                .hasMessageContaining("security.protocol");
    }

    @Test
    void marksPasswordsKeysAndJaasConfigsSensitive() {
        assertThat(LinkConfigs.isSensitive("sasl.jaas.config")).isTrue();
        assertThat(LinkConfigs.isSensitive("ssl.truststore.password")).isTrue();
        assertThat(LinkConfigs.isSensitive("ssl.keystore.key")).isTrue();
        assertThat(LinkConfigs.isSensitive("bootstrap.servers")).isFalse();
        assertThat(LinkConfigs.isSensitive("acl.sync.ms")).isFalse();
    }

    @Test
    void mapsFetchTuningToConsumerProperties() {
        Map<String, Object> props = LinkConfigs.settings(Map.of("bootstrap.servers", BOOTSTRAP,
                "replica.fetch.max.bytes", "1048576")).sourceClientProperties();

        assertThat(props).containsEntry("bootstrap.servers", BOOTSTRAP)
                .containsEntry("max.partition.fetch.bytes", "1048576")
                .containsEntry("fetch.max.bytes", "10485760");
    }

    @Test
    void parsesStartOffsetSpecs() {
        assertThat(StartOffsetSpec.parse("earliest")).isInstanceOf(StartOffsetSpec.Earliest.class);
        assertThat(StartOffsetSpec.parse("LATEST")).isInstanceOf(StartOffsetSpec.Latest.class);
        assertThat(StartOffsetSpec.parse("2024-05-01T10:00:00Z"))
                .isEqualTo(new StartOffsetSpec.AtTimestamp(1714557600000L));
        assertThat(StartOffsetSpec.parse("2024-05-01T12:00:00+02:00"))
                .isEqualTo(new StartOffsetSpec.AtTimestamp(1714557600000L));
    }

    @Test
    void describesDefaultsAndMasksSecrets() {
        var entries = LinkConfigs.describe(Map.of("bootstrap.servers", BOOTSTRAP, "sasl.jaas.config", "secret",
                "acl.sync.ms", "7000"));

        assertThat(entries).anySatisfy(e -> {
            assertThat(e.name()).isEqualTo("sasl.jaas.config");
            assertThat(e.value()).isNull();
            assertThat(e.isSensitive()).isTrue();
        });
        assertThat(entries).anySatisfy(e -> {
            assertThat(e.name()).isEqualTo("consumer.offset.sync.ms");
            assertThat(e.value()).isEqualTo("30000");
            assertThat(e.isDefault()).isTrue();
        });
        assertThat(entries).anySatisfy(e -> {
            assertThat(e.name()).isEqualTo("acl.sync.ms");
            assertThat(e.value()).isEqualTo("7000");
            assertThat(e.isDefault()).isFalse();
        });
    }
}
