package io.clusterlink.sync;

import static io.clusterlink.testing.ClusterLinkApi.action;
import static io.clusterlink.testing.ClusterLinkApi.awaitCaughtUp;
import static io.clusterlink.testing.ClusterLinkApi.awaitStatus;
import static io.clusterlink.testing.ClusterLinkApi.createLink;
import static io.clusterlink.testing.ClusterLinkApi.createMirror;
import static io.clusterlink.testing.ClusterLinkApi.setLinkConfig;
import static io.clusterlink.testing.KafkaClusters.uniqueName;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.junit.jupiter.api.Test;

import io.clusterlink.testing.KafkaClusters;
import io.clusterlink.testing.KafkaClustersResource;
import io.clusterlink.testing.MirrorVerifier;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * consumer.offset.sync.enable: committed offsets of matching source groups on mirrored topics reach
 * the destination, clamped to the mirror, never to groups in use there; promote and failover.
 */
@QuarkusTest
@QuarkusTestResource(KafkaClustersResource.class)
class ConsumerOffsetSyncIT {

    private static final Duration SYNC = Duration.ofSeconds(30);
    private static final Duration READ = Duration.ofSeconds(60);
    private final KafkaClusters kafka = KafkaClusters.get();

    @Test
    void aConsumerThatMovesToTheDestinationResumesAtTheNextRecord() throws Exception {
        String topic = uniqueName("move");
        String group = uniqueName("move-group");
        String link = uniqueName("link");
        mirrorCaughtUp(link, syncing(group), topic, 2, 100);
        TopicPartition p0 = new TopicPartition(topic, 0);
        TopicPartition p1 = new TopicPartition(topic, 1);
        try (KafkaConsumer<byte[], byte[]> consumer = KafkaClusters.consumer(kafka.source(),
                Map.of(ConsumerConfig.GROUP_ID_CONFIG, group))) {
            consumer.subscribe(List.of(topic));
            await().atMost(READ).pollInSameThread().until(() -> {
                consumer.poll(Duration.ofMillis(200));
                return consumer.assignment().size() == 2;
            });
            consumer.commitSync(Map.of(p0, new OffsetAndMetadata(17), p1, new OffsetAndMetadata(33)));
        }

        awaitDestinationOffsets(group, Map.of(p0, 17L, p1, 33L));

        Map<Integer, ConsumerRecord<byte[], byte[]>> firstRead = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = KafkaClusters.consumer(kafka.destination(),
                Map.of(ConsumerConfig.GROUP_ID_CONFIG, group, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none"))) {
            consumer.subscribe(List.of(topic));
            await().atMost(READ).pollInSameThread().until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> firstRead.putIfAbsent(r.partition(), r));
                return firstRead.size() == 2;
            });
        }
        List<ConsumerRecord<byte[], byte[]>> source = KafkaClusters.readAll(kafka.source(), topic,
                IsolationLevel.READ_COMMITTED, READ);
        for (Map.Entry<Integer, Long> expected : Map.of(0, 17L, 1, 33L).entrySet()) {
            ConsumerRecord<byte[], byte[]> read = firstRead.get(expected.getKey());
            ConsumerRecord<byte[], byte[]> next = source.stream()
                    .filter(r -> r.partition() == expected.getKey() && r.offset() == expected.getValue())
                    .findFirst().orElseThrow();
            assertThat(read.offset()).isEqualTo(expected.getValue());
            assertThat(read.key()).isEqualTo(next.key());
            assertThat(read.value()).isEqualTo(next.value());
        }
        assertThat(MirrorVerifier.assertIdentical(kafka.source(), topic, kafka.destination(), topic, READ)
                .recordsCompared()).isEqualTo(100);
    }

    @Test
    void offsetsAreClampedToTheMirrorEndOffsets() throws Exception {
        String topic = uniqueName("clamp");
        String group = uniqueName("clamp-group");
        String link = uniqueName("link");
        mirrorCaughtUp(link, syncing(group), topic, 1, 50);
        action(link, "pause", topic);
        produce(topic, 1, 50, 50);
        TopicPartition p0 = new TopicPartition(topic, 0);

        commit(kafka.sourceAdmin(), group, Map.of(p0, 100L));

        awaitDestinationOffsets(group, Map.of(p0, 50L));
        assertThat(KafkaClusters.endOffsets(kafka.destination(), topic)).containsEntry(p0, 50L);
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> destinationOffsets(group).equals(Map.of(p0, 50L)));
        action(link, "resume", topic);
        awaitCaughtUp(link, topic);
        awaitDestinationOffsets(group, Map.of(p0, 100L));
        assertThat(MirrorVerifier.assertIdentical(kafka.source(), topic, kafka.destination(), topic, READ)
                .recordsCompared()).isEqualTo(100);
    }

    @Test
    void aGroupWithActiveMembersOnTheDestinationIsLeftAlone() throws Exception {
        String topic = uniqueName("active");
        String groupPrefix = uniqueName("active-group");
        String group = groupPrefix + "-in-use";
        String control = groupPrefix + "-control";
        String link = uniqueName("link");
        mirrorCaughtUp(link, syncing(groupPrefix), topic, 1, 50);
        TopicPartition p0 = new TopicPartition(topic, 0);
        commit(kafka.sourceAdmin(), group, Map.of(p0, 10L));
        awaitDestinationOffsets(group, Map.of(p0, 10L));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<KafkaConsumer<byte[], byte[]>> member = new AtomicReference<>();
        Thread poller = new Thread(() -> {
            try (KafkaConsumer<byte[], byte[]> consumer = KafkaClusters.consumer(kafka.destination(),
                    Map.of(ConsumerConfig.GROUP_ID_CONFIG, group, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none"))) {
                member.set(consumer);
                consumer.subscribe(List.of(topic));
                while (!stop.get()) {
                    consumer.poll(Duration.ofMillis(100));
                }
            } catch (WakeupException e) {
                // stopping
            }
        }, "destination-member");
        poller.start();
        try {
            await().atMost(READ).until(() -> {
                ConsumerGroupDescription d = describe(kafka.destinationAdmin(), group);
                return d.groupState() == GroupState.STABLE && d.members().size() == 1;
            });

            commit(kafka.sourceAdmin(), group, Map.of(p0, 30L));
            commit(kafka.sourceAdmin(), control, Map.of(p0, 30L));

            awaitDestinationOffsets(control, Map.of(p0, 30L));
            assertThat(destinationOffsets(group)).isEqualTo(Map.of(p0, 10L));
            assertThat(offsetSyncTask(link).getString("state")).isEqualTo("ACTIVE");
        } finally {
            stop.set(true);
            KafkaConsumer<byte[], byte[]> consumer = member.get();
            if (consumer != null) {
                consumer.wakeup();
            }
            poller.join(TimeUnit.SECONDS.toMillis(30));
        }
        awaitDestinationOffsets(group, Map.of(p0, 30L));
    }

    @Test
    void onlyMatchingGroupsAndMirroredTopicsAreSyncedAndGroupsAreNeverDeleted() throws Exception {
        String topic = uniqueName("filter");
        String notMirrored = uniqueName("not-mirrored");
        String groupPrefix = uniqueName("filter-group");
        String synced = groupPrefix + "-a";
        String excluded = groupPrefix + "-excluded";
        String other = uniqueName("other-group");
        String control = groupPrefix + "-b";
        String link = uniqueName("link");
        String filters = "{\"groupFilters\":["
                + "{\"name\":\"" + groupPrefix + "\",\"patternType\":\"PREFIXED\",\"filterType\":\"INCLUDE\"},"
                + "{\"name\":\"" + excluded + "\",\"patternType\":\"LITERAL\",\"filterType\":\"EXCLUDE\"}]}";
        KafkaClusters.createTopic(kafka.source(), notMirrored, 1, Map.of());
        produce(notMirrored, 1, 0, 10);
        mirrorCaughtUp(link, syncConfigs(filters), topic, 1, 50);
        TopicPartition p0 = new TopicPartition(topic, 0);
        TopicPartition elsewhere = new TopicPartition(notMirrored, 0);
        commit(kafka.sourceAdmin(), synced, Map.of(p0, 20L, elsewhere, 5L));
        commit(kafka.sourceAdmin(), excluded, Map.of(p0, 20L));
        commit(kafka.sourceAdmin(), other, Map.of(p0, 20L));
        awaitDestinationOffsets(synced, Map.of(p0, 20L));

        kafka.sourceAdmin().deleteConsumerGroups(List.of(synced)).all().get(30, TimeUnit.SECONDS);
        commit(kafka.sourceAdmin(), control, Map.of(p0, 25L));

        awaitDestinationOffsets(control, Map.of(p0, 25L));
        assertThat(destinationOffsets(synced)).isEqualTo(Map.of(p0, 20L));
        assertThat(destinationOffsets(excluded)).isEmpty();
        assertThat(destinationOffsets(other)).isEmpty();
        assertThat(MirrorVerifier.assertIdentical(kafka.source(), topic, kafka.destination(), topic, READ)
                .recordsCompared()).isEqualTo(50);
    }

    @Test
    void promoteRunsAFinalSyncAndLaterSourceCommitsNoLongerReachThePromotedTopic() throws Exception {
        String topic = uniqueName("promote");
        String other = uniqueName("promote-other");
        String groupPrefix = uniqueName("promote-group");
        String group = groupPrefix + "-g";
        String late = groupPrefix + "-late";
        String control = groupPrefix + "-control";
        String link = uniqueName("link");
        KafkaClusters.createTopic(kafka.source(), other, 1, Map.of());
        produce(other, 1, 0, 30);
        mirrorCaughtUp(link, syncing(groupPrefix), topic, 1, 30);
        createMirror(link, other);
        awaitCaughtUp(link, other);
        TopicPartition p0 = new TopicPartition(topic, 0);
        commit(kafka.sourceAdmin(), group, Map.of(p0, 10L));
        awaitDestinationOffsets(group, Map.of(p0, 10L));
        setLinkConfig(link, "consumer.offset.sync.ms", "600000");
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
                .until(() -> destinationOffsets(group).equals(Map.of(p0, 10L)));
        commit(kafka.sourceAdmin(), group, Map.of(p0, 20L));
        commit(kafka.sourceAdmin(), late, Map.of(p0, 5L));
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> destinationOffsets(group).equals(Map.of(p0, 10L)) && destinationOffsets(late).isEmpty());

        action(link, "promote", topic);

        awaitStatus(link, topic, "STOPPED");
        assertThat(destinationOffsets(group)).isEqualTo(Map.of(p0, 20L));
        assertThat(destinationOffsets(late)).isEqualTo(Map.of(p0, 5L));
        assertThat(MirrorVerifier.assertIdentical(kafka.source(), topic, kafka.destination(), topic, READ)
                .recordsCompared()).isEqualTo(30);
        setLinkConfig(link, "consumer.offset.sync.ms", "1000");
        commit(kafka.sourceAdmin(), group, Map.of(p0, 25L));
        TopicPartition stillMirrored = new TopicPartition(other, 0);
        commit(kafka.sourceAdmin(), control, Map.of(stillMirrored, 7L));
        awaitDestinationOffsets(control, Map.of(stillMirrored, 7L));
        assertThat(destinationOffsets(group)).isEqualTo(Map.of(p0, 20L));
    }

    @Test
    void failoverClampsPrefixedGroupsToTheMirrorEndOffsets() throws Exception {
        String topic = uniqueName("failover");
        String prefix = uniqueName("dc") + ".";
        String mirrorTopic = prefix + topic;
        String group = uniqueName("failover-group");
        String unsynced = uniqueName("unsynced");
        String link = uniqueName("link");
        Map<String, String> configs = new HashMap<>(syncing(group));
        configs.put("cluster.link.prefix", prefix);
        configs.put("consumer.group.prefix.enable", "true");
        KafkaClusters.createTopic(kafka.source(), topic, 1, Map.of());
        produce(topic, 1, 0, 50);
        createLink(link, kafka.source().bootstrapServers(), configs);
        createMirror(link, topic);
        awaitCaughtUp(link, topic, mirrorTopic);
        TopicPartition mirrored = new TopicPartition(mirrorTopic, 0);
        commit(kafka.sourceAdmin(), group, Map.of(new TopicPartition(topic, 0), 30L));
        awaitDestinationOffsets(prefix + group, Map.of(mirrored, 30L));
        assertThat(destinationOffsets(group)).isEmpty();
        setLinkConfig(link, "consumer.offset.sync.ms", "600000");
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
                .until(() -> destinationOffsets(prefix + group).equals(Map.of(mirrored, 30L)));
        // Offsets past the mirror's end, e.g. from a consumer that read the source further.
        commit(kafka.destinationAdmin(), prefix + group, Map.of(mirrored, 80L));
        commit(kafka.destinationAdmin(), group, Map.of(mirrored, 80L));
        commit(kafka.destinationAdmin(), prefix + unsynced, Map.of(mirrored, 80L));

        action(link, "failover", mirrorTopic);

        awaitStatus(link, mirrorTopic, "STOPPED");
        assertThat(destinationOffsets(prefix + group)).isEqualTo(Map.of(mirrored, 50L));
        assertThat(destinationOffsets(group)).isEqualTo(Map.of(mirrored, 80L));
        assertThat(destinationOffsets(prefix + unsynced)).isEqualTo(Map.of(mirrored, 80L));
        assertThat(MirrorVerifier.assertIdentical(kafka.source(), topic, kafka.destination(), mirrorTopic, READ)
                .recordsCompared()).isEqualTo(50);
    }

    @Test
    void theLinkShowsTheOffsetSyncTaskActive() throws Exception {
        String topic = uniqueName("task");
        String group = uniqueName("task-group");
        String link = uniqueName("link");
        mirrorCaughtUp(link, syncing(group), topic, 1, 10);
        TopicPartition p0 = new TopicPartition(topic, 0);

        commit(kafka.sourceAdmin(), group, Map.of(p0, 4L));

        awaitDestinationOffsets(group, Map.of(p0, 4L));
        JsonPath task = offsetSyncTask(link);
        assertThat(task.getString("state")).isEqualTo("ACTIVE");
        assertThat(task.getList("errors")).isEmpty();
        assertThat(MirrorVerifier.assertIdentical(kafka.source(), topic, kafka.destination(), topic, READ)
                .recordsCompared()).isEqualTo(10);
    }

    /** Link configs that sync, every second, the groups whose names start with {@code groupPrefix}. */
    private static Map<String, String> syncing(String groupPrefix) {
        return syncConfigs("{\"groupFilters\":[{\"name\":\"" + groupPrefix
                + "\",\"patternType\":\"PREFIXED\",\"filterType\":\"INCLUDE\"}]}");
    }

    private static Map<String, String> syncConfigs(String groupFilters) {
        return Map.of("consumer.offset.sync.enable", "true", "consumer.offset.group.filters", groupFilters,
                "consumer.offset.sync.ms", "1000");
    }

    /** Given: a source topic with {@code records} records spread over its partitions, a link and its mirror caught up. */
    private void mirrorCaughtUp(String link, Map<String, String> configs, String topic, int partitions, int records)
            throws Exception {
        KafkaClusters.createTopic(kafka.source(), topic, partitions, Map.of());
        produce(topic, partitions, 0, records);
        createLink(link, kafka.source().bootstrapServers(), configs);
        createMirror(link, topic);
        awaitCaughtUp(link, topic);
    }

    /** Records {@code k<i>}/{@code v<i>} with the current time, record i in partition i modulo {@code partitions}. */
    private void produce(String topic, int partitions, int from, int count) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(kafka.source(), Map.of())) {
            for (int i = from; i < from + count; i++) {
                producer.send(new ProducerRecord<>(topic, i % partitions, bytes("k" + i), bytes("v" + i)));
            }
            producer.flush();
        }
    }

    /** Commits offsets for a group without members, as a consumer that left would have. */
    private static void commit(Admin admin, String group, Map<TopicPartition, Long> offsets) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
        offsets.forEach((tp, offset) -> committed.put(tp, new OffsetAndMetadata(offset)));
        admin.alterConsumerGroupOffsets(group, committed).all().get(30, TimeUnit.SECONDS);
    }

    /** The committed offsets of a group on the destination; empty when it has none. */
    private Map<TopicPartition, Long> destinationOffsets(String group) throws Exception {
        Map<TopicPartition, Long> result = new HashMap<>();
        kafka.destinationAdmin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS).forEach((tp, o) -> {
                    if (o != null) {
                        result.put(tp, o.offset());
                    }
                });
        return result;
    }

    private void awaitDestinationOffsets(String group, Map<TopicPartition, Long> expected) {
        await().atMost(SYNC).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(destinationOffsets(group)).isEqualTo(expected));
    }

    /** The link's {@code ConsumerOffsetSync} task as {@code include_tasks=true} shows it. */
    private static JsonPath offsetSyncTask(String link) {
        return given().get("/links/{link}?include_tasks=true", link).then().statusCode(200).extract().jsonPath()
                .setRootPath("tasks.find { it.task_name == 'ConsumerOffsetSync' }");
    }

    private static ConsumerGroupDescription describe(Admin admin, String group) throws Exception {
        return admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get(30, TimeUnit.SECONDS);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
