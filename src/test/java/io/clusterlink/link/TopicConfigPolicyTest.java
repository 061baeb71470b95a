package io.clusterlink.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConfigEntry.ConfigSource;
import org.junit.jupiter.api.Test;

class TopicConfigPolicyTest {

    private static ConfigEntry entry(String name, String value, ConfigSource source) {
        return new ConfigEntry(name, value, source, false, false, List.of(), ConfigEntry.ConfigType.STRING, null);
    }

    private static final Config SOURCE = new Config(List.of(
            entry("cleanup.policy", "compact", ConfigSource.DYNAMIC_TOPIC_CONFIG),
            entry("max.message.bytes", "1048588", ConfigSource.DEFAULT_CONFIG),
            entry("compression.type", "producer", ConfigSource.DEFAULT_CONFIG),
            entry("retention.ms", "3600000", ConfigSource.DYNAMIC_TOPIC_CONFIG),
            entry("segment.ms", "604800000", ConfigSource.DEFAULT_CONFIG),
            entry("min.insync.replicas", "2", ConfigSource.DYNAMIC_TOPIC_CONFIG),
            entry("unclean.leader.election.enable", "true", ConfigSource.DYNAMIC_TOPIC_CONFIG)));

    @Test
    void alwaysSyncsTheThreeAlwaysConfigsAndConfigurableOnesOnlyWhenSetOnTheSource() {
        assertThat(TopicConfigPolicy.parse("").desired(SOURCE)).isEqualTo(Map.of(
                "cleanup.policy", "compact", "max.message.bytes", "1048588", "compression.type", "producer",
                "retention.ms", "3600000", "min.insync.replicas", "2"));
    }

    @Test
    void theIncludeListNarrowsTheConfigurableConfigs() {
        assertThat(TopicConfigPolicy.parse(" retention.ms , ").desired(SOURCE)).containsOnlyKeys(
                "cleanup.policy", "max.message.bytes", "compression.type", "retention.ms");
    }

    @Test
    void rejectsConfigsThatAreTheMirrorsOwn() {
        assertThatThrownBy(() -> TopicConfigPolicy.parse("retention.ms,unclean.leader.election.enable,x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unclean.leader.election.enable, x are not a topic config that can be synced");
        assertThat(TopicConfigPolicy.managed("message.timestamp.type")).isTrue();
        assertThat(TopicConfigPolicy.managed("unclean.leader.election.enable")).isFalse();
    }

    @Test
    void alterationsSetWhatDiffersAndResetWhatTheSourceNoLongerSets() {
        Config source = new Config(List.of(
                entry("cleanup.policy", "delete", ConfigSource.DEFAULT_CONFIG),
                entry("max.message.bytes", "1048588", ConfigSource.DEFAULT_CONFIG),
                entry("compression.type", "producer", ConfigSource.DEFAULT_CONFIG),
                entry("retention.ms", "3600000", ConfigSource.DYNAMIC_TOPIC_CONFIG),
                entry("segment.ms", "604800000", ConfigSource.DEFAULT_CONFIG),
                entry("min.insync.replicas", "2", ConfigSource.DYNAMIC_TOPIC_CONFIG)));
        Config mirror = new Config(List.of(
                entry("cleanup.policy", "delete", ConfigSource.DYNAMIC_TOPIC_CONFIG),
                entry("max.message.bytes", "5000000", ConfigSource.DYNAMIC_TOPIC_CONFIG),
                entry("compression.type", "producer", ConfigSource.DYNAMIC_TOPIC_CONFIG),
                entry("retention.ms", "86400000", ConfigSource.DYNAMIC_TOPIC_CONFIG),
                entry("segment.ms", "1000", ConfigSource.DYNAMIC_TOPIC_CONFIG),
                entry("min.insync.replicas", "1", ConfigSource.DEFAULT_CONFIG),
                entry("unclean.leader.election.enable", "false", ConfigSource.DYNAMIC_TOPIC_CONFIG)));

        List<AlterConfigOp> ops = TopicConfigPolicy.parse("").alterations(source, mirror, 5_000_000, true);

        assertThat(ops).extracting(op -> op.opType() + " " + op.configEntry().name() + "=" + op.configEntry().value())
                .containsExactlyInAnyOrder("SET retention.ms=3600000", "SET min.insync.replicas=2",
                        "DELETE segment.ms=");
    }

    @Test
    void whileMirroringTheMirrorTakesAnyRequestAndACompactOnlyPolicyCanMoveItsLogStart() {
        Map<String, String> desired = TopicConfigPolicy.parse("").desired(SOURCE);

        Map<String, String> mirroring = TopicConfigPolicy.whileMirroring(desired, 104_792_064, true);

        assertThat(mirroring).containsEntry("max.message.bytes", "104792064")
                .containsEntry("cleanup.policy", "compact,delete")
                .containsEntry("retention.ms", "-1").containsEntry("retention.bytes", "-1")
                .containsEntry("message.timestamp.type", "CreateTime")
                .containsEntry("message.timestamp.before.max.ms", String.valueOf(Long.MAX_VALUE))
                .containsEntry("message.timestamp.after.max.ms", String.valueOf(Long.MAX_VALUE))
                .containsEntry("min.insync.replicas", "2").containsEntry("compression.type", "producer");
        assertThat(TopicConfigPolicy.whileMirroring(Map.of("cleanup.policy", "delete,compact"), 1 << 20, true))
                .containsEntry("cleanup.policy", "delete,compact").doesNotContainKey("retention.ms");
    }

    @Test
    void destinationsBeforeKafka36GetTheOlderTimestampBound() {
        assertThat(TopicConfigPolicy.mirrorOnly(false)).containsOnlyKeys("message.timestamp.type",
                "message.timestamp.difference.max.ms");
        assertThat(TopicConfigPolicy.whileMirroring(Map.of(), 1 << 20, false))
                .doesNotContainKeys("message.timestamp.before.max.ms", "message.timestamp.after.max.ms");
        assertThat(TopicConfigPolicy.managed("message.timestamp.difference.max.ms")).isTrue();
    }

    @Test
    void aStoppedMirrorGetsTheSourcesValuesBack() {
        Config source = new Config(List.of(
                entry("cleanup.policy", "compact", ConfigSource.DYNAMIC_TOPIC_CONFIG),
                entry("max.message.bytes", "1048588", ConfigSource.DEFAULT_CONFIG),
                entry("retention.ms", "604800000", ConfigSource.DEFAULT_CONFIG),
                entry("message.timestamp.type", "LogAppendTime", ConfigSource.STATIC_BROKER_CONFIG)));

        Map<String, String> remembered = TopicConfigPolicy.remembered(source);

        assertThat(remembered).isEqualTo(Map.of("cleanup.policy", "compact", "max.message.bytes", "1048588",
                "message.timestamp.type", "LogAppendTime"));
        assertThat(TopicConfigPolicy.restore(remembered, true))
                .extracting(op -> op.opType() + " " + op.configEntry().name() + "=" + op.configEntry().value())
                .containsExactlyInAnyOrder("SET cleanup.policy=compact", "SET max.message.bytes=1048588",
                        "DELETE retention.ms=", "DELETE retention.bytes=", "SET message.timestamp.type=LogAppendTime",
                        "DELETE message.timestamp.before.max.ms=", "DELETE message.timestamp.after.max.ms=");
        assertThat(TopicConfigPolicy.restore(Map.of(), false))
                .extracting(op -> op.opType() + " " + op.configEntry().name())
                .contains("DELETE message.timestamp.type", "DELETE message.timestamp.difference.max.ms")
                .doesNotContain("DELETE message.timestamp.before.max.ms");
    }
}
