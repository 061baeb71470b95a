package io.clusterlink.replication;

import static io.clusterlink.testing.ClusterLinkApi.awaitCaughtUp;
import static io.clusterlink.testing.ClusterLinkApi.clusterId;
import static io.clusterlink.testing.ClusterLinkApi.createLink;
import static io.clusterlink.testing.ClusterLinkApi.createMirror;
import static io.clusterlink.testing.ClusterLinkApi.mirror;
import static io.clusterlink.testing.KafkaClusters.uniqueName;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

import io.clusterlink.kafka.DestinationClusters;
import io.clusterlink.kafka.DestinationLimits;
import io.clusterlink.link.Link;
import io.clusterlink.link.Mirror;
import io.clusterlink.link.TopicConfigPolicy;
import io.clusterlink.store.LinkStore;
import io.clusterlink.testing.KafkaClusters;
import io.clusterlink.testing.KafkaClustersResource;
import io.clusterlink.testing.MirrorVerifier;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Work the service left unfinished when it stopped is finished by itself: a failover recorded but
 * not carried out, and mirror creations cut short after the mirror was recorded (with its topic
 * made, without it, or with a topic of that name the service did not make). The database rows are
 * put in the state a crash leaves them in.
 */
@QuarkusTest
@QuarkusTestResource(KafkaClustersResource.class)
class InterruptedWorkIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private final KafkaClusters kafka = KafkaClusters.get();

    @Inject
    LinkStore store;
    @Inject
    DestinationClusters clusters;
    @Inject
    EntityManager entities;

    @Test
    void aFailoverLeftPendingByACrashIsFinishedAndTheTopicBecomesWritable() throws Exception {
        // Given an ACTIVE mirror of 500 records whose failover was recorded, and then the service stopped
        String topic = uniqueName("unfinished-failover");
        String link = uniqueName("link");
        KafkaClusters.createTopic(kafka.source(), topic, 2, Map.of());
        produce(topic, 500);
        createLink(link, kafka.source().bootstrapServers(), Map.of());
        createMirror(link, topic);
        awaitCaughtUp(link, topic);
        update("update mirror_topics set mirror_status = 'PENDING_STOPPED', stop_mode = 'FAILOVER' "
                + "where mirror_topic_name = ?1", topic);

        // Then it is finished without a request: STOPPED where the mirror ended, no longer read-only
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> "STOPPED".equals(mirror(link, topic).getString("mirror_status")));
        assertThat(total(KafkaClusters.endOffsets(kafka.destination(), topic))).isEqualTo(500);
        assertThat(denyWrite(topic)).isEmpty();
        MirrorVerifier.assertIdentical(kafka.source(), topic, kafka.destination(), topic, WAIT);
        given().delete("/links/{link}", link).then().statusCode(200);
    }

    @Test
    void anInterruptedCreationWhoseTopicWasMadeIsFinishedAndCopied() throws Exception {
        // Given a mirror recorded as being created and its topic made as the service makes it, but no ACL yet
        String topic = uniqueName("interrupted-made");
        String linkName = uniqueName("link");
        KafkaClusters.createTopic(kafka.source(), topic, 2, Map.of());
        produce(topic, 300);
        createLink(linkName, kafka.source().bootstrapServers(), Map.of());
        Mirror recorded = record(linkName, topic, 2);
        DestinationLimits limits = clusters.limits(clusters.byId(clusterId()));
        Map<String, String> configs = TopicConfigPolicy.whileMirroring(Map.of(), limits.maxBatchBytes(),
                limits.timestampBounds());
        kafka.destinationAdmin().createTopics(List.of(new NewTopic(topic, 2, (short) 1).configs(configs))).all()
                .get(30, TimeUnit.SECONDS);
        interruptedLongAgo(recorded);

        // Then the creation is finished: the topic is read-only and the mirror catches up, identical
        awaitCaughtUp(linkName, topic);
        assertThat(denyWrite(topic)).hasSize(1);
        MirrorVerifier.Result result = MirrorVerifier.assertIdentical(kafka.source(), topic, kafka.destination(),
                topic, WAIT);
        assertThat(result.recordsCompared()).isEqualTo(300);
        given().delete("/links/{link}?force=true", linkName).then().statusCode(200);
    }

    @Test
    void anInterruptedCreationWithoutItsTopicIsForgotten() throws Exception {
        // Given a mirror recorded as being created, cut short before its topic was made
        String topic = uniqueName("interrupted-early");
        String linkName = uniqueName("link");
        KafkaClusters.createTopic(kafka.source(), topic, 1, Map.of());
        produce(topic, 50);
        createLink(linkName, kafka.source().bootstrapServers(), Map.of());
        interruptedLongAgo(record(linkName, topic, 1));

        // Then the record goes, and the mirror can be created again
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> given().get("/links/{link}/mirrors/{topic}", linkName, topic).statusCode() == 404);
        assertThat(topicExists(topic)).isFalse();
        createMirror(linkName, topic);
        awaitCaughtUp(linkName, topic);
        assertThat(MirrorVerifier.assertIdentical(kafka.source(), topic, kafka.destination(), topic, WAIT)
                .recordsCompared()).isEqualTo(50);
        given().delete("/links/{link}?force=true", linkName).then().statusCode(200);
    }

    @Test
    void anInterruptedCreationWhereAnotherTopicOfTheNameExistsLeavesThatTopicAlone() throws Exception {
        // Given a mirror recorded as being created, and a topic of its name that is not a mirror (made by someone else)
        String topic = uniqueName("interrupted-foreign");
        String linkName = uniqueName("link");
        KafkaClusters.createTopic(kafka.source(), topic, 1, Map.of());
        createLink(linkName, kafka.source().bootstrapServers(), Map.of());
        Mirror recorded = record(linkName, topic, 1);
        KafkaClusters.createTopic(kafka.destination(), topic, 1, Map.of(TopicConfig.RETENTION_MS_CONFIG, "3600000"));
        interruptedLongAgo(recorded);

        // Then the record goes; the topic stays as it was: writable, not copied to
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> given().get("/links/{link}/mirrors/{topic}", linkName, topic).statusCode() == 404);
        assertThat(topicExists(topic)).isTrue();
        assertThat(denyWrite(topic)).isEmpty();
        assertThat(total(KafkaClusters.endOffsets(kafka.destination(), topic))).isZero();
        given().delete("/links/{link}", linkName).then().statusCode(200);
    }

    /** Records a mirror as {@code MirrorCreation} does before it makes the topic. */
    private Mirror record(String linkName, String topic, int partitions) throws Exception {
        Link link = store.findLink(clusterId(), linkName).orElseThrow();
        TopicDescription source = kafka.sourceAdmin().describeTopics(List.of(topic)).allTopicNames()
                .get(30, TimeUnit.SECONDS).get(topic);
        return store.insertMirror(link, topic, topic, source.topicId().toString(), partitions,
                Collections.nCopies(partitions, 0L), Map.of());
    }

    /**
     * The creation started three minutes ago: longer than any creation takes, so it was cut short. The version goes up
     * as with any other writer, so a save of the row read before this one fails instead of writing the old time back.
     */
    private void interruptedLongAgo(Mirror m) {
        QuarkusTransaction.requiringNew().run(() -> entities
                .createNativeQuery("update mirror_topics set created_at = ?1, version = version + 1 where id = ?2")
                .setParameter(1, Timestamp.from(Instant.now().minus(Duration.ofMinutes(3))))
                .setParameter(2, m.id()).executeUpdate());
    }

    private void update(String sql, String topic) {
        int rows = QuarkusTransaction.requiringNew().call(() -> entities.createNativeQuery(sql)
                .setParameter(1, topic).executeUpdate());
        assertThat(rows).isEqualTo(1);
    }

    private Set<AclBinding> denyWrite(String topic) throws Exception {
        Set<AclBinding> result = new HashSet<>();
        for (AclBinding b : kafka.destinationAdmin().describeAcls(new AclBindingFilter(
                new ResourcePatternFilter(ResourceType.TOPIC, topic, PatternType.LITERAL),
                AccessControlEntryFilter.ANY)).values().get(30, TimeUnit.SECONDS)) {
            if (b.entry().operation() == AclOperation.WRITE && b.entry().permissionType() == AclPermissionType.DENY) {
                result.add(b);
            }
        }
        return result;
    }

    private boolean topicExists(String topic) throws Exception {
        return kafka.destinationAdmin().listTopics().names().get(30, TimeUnit.SECONDS).contains(topic);
    }

    private void produce(String topic, int count) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(kafka.source(), Map.of())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, ("k" + i).getBytes(), ("v" + i).getBytes()));
            }
            producer.flush();
        }
    }

    private static long total(Map<TopicPartition, Long> offsets) {
        return offsets.values().stream().mapToLong(Long::longValue).sum();
    }
}
