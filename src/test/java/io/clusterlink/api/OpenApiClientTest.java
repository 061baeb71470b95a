package io.clusterlink.api;

import static io.clusterlink.testing.KafkaClusters.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.DeserializationFeature;

import io.clusterlink.client.ApiClient;
import io.clusterlink.client.ApiException;
import io.clusterlink.client.api.ClusterLinkingV3Api;
import io.clusterlink.client.api.ClustersApi;
import io.clusterlink.client.api.MirrorTopicsV3Api;
import io.clusterlink.client.model.AlterMirrorsData;
import io.clusterlink.client.model.AlterMirrorsRequest;
import io.clusterlink.client.model.ConfigData;
import io.clusterlink.client.model.CreateLinkRequest;
import io.clusterlink.client.model.CreateMirrorRequest;
import io.clusterlink.client.model.Error;
import io.clusterlink.client.model.LinkData;
import io.clusterlink.client.model.LinkError;
import io.clusterlink.client.model.LinkState;
import io.clusterlink.client.model.MirrorData;
import io.clusterlink.client.model.MirrorLag;
import io.clusterlink.client.model.MirrorTopicError;
import io.clusterlink.client.model.MirrorTopicStatus;
import io.clusterlink.client.model.ResourceListAlterMirrorsData;
import io.clusterlink.testing.ClusterLinkApi;
import io.clusterlink.testing.KafkaClusters;
import io.clusterlink.testing.KafkaClustersResource;
import io.clusterlink.testing.TestUsers;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The committed OpenAPI document is the wire: a Java client generated from it (target/generated-test-sources,
 * openapi-generator) runs a link's life against the service and decodes every answer. Its ObjectMapper fails
 * on properties the document does not name, and the fields the document names must come back filled, so a
 * document that names, types or lists fields otherwise than the service sends them fails here.
 */
@QuarkusTest
@QuarkusTestResource(KafkaClustersResource.class)
class OpenApiClientTest {

    private static final int RECORDS = 500;
    private static final Duration WAIT = Duration.ofSeconds(120);

    private final KafkaClusters kafka = KafkaClusters.get();

    @TestHTTPResource("/")
    URL service;

    private ClusterLinkingV3Api links;
    private MirrorTopicsV3Api mirrors;
    private ApiClient client;
    private Set<String> linksBefore;

    @BeforeEach
    void generatedClient() {
        String base = service.toString();
        client = new ApiClient();
        client.updateBaseUri(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
        client.setObjectMapper(ApiClient.createDefaultObjectMapper()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES));
        client.setRequestInterceptor(request -> request.header("Authorization", TestUsers.operatorAuthorization()));
        links = new ClusterLinkingV3Api(client);
        mirrors = new MirrorTopicsV3Api(client);
        linksBefore = ClusterLinkApi.linkNames();
    }

    @AfterEach
    void deleteTheLinksOfTheTest() {
        ClusterLinkApi.deleteLinksOtherThan(linksBefore);
    }

    @Test
    void aGeneratedClientRunsALinkFromCreateToPromoteAndDelete() throws Exception {
        String cluster = new ClustersApi(client).listKafkaClusters().getData().get(0).getClusterId();
        String link = uniqueName("oas-link");
        String topic = uniqueName("oas-topic");
        KafkaClusters.createTopic(kafka.source(), topic, 2, Map.of());
        produce(topic);

        links.createKafkaLink(cluster, link, null, null, new CreateLinkRequest()
                .sourceClusterId(kafka.source().clusterId())
                .configs(List.of(new ConfigData().name("bootstrap.servers").value(kafka.source().bootstrapServers()))));
        mirrors.createKafkaMirrorTopic(cluster, link, new CreateMirrorRequest().sourceTopicName(topic));

        LinkData shown = links.getKafkaLink(cluster, link, false);
        assertThat(shown.getKind()).isEqualTo("KafkaLinkData");
        assertThat(shown.getMetadata().getSelf()).endsWith("/kafka/v3/clusters/" + cluster + "/links/" + link);
        assertThat(shown.getLinkName()).isEqualTo(link);
        assertThat(shown.getSourceClusterId()).isEqualTo(kafka.source().clusterId());
        assertThat(shown.getClusterLinkId()).isNotBlank();
        assertThat(shown.getTopicNames()).containsExactly(topic);
        assertThat(shown.getLinkState()).isEqualTo(LinkState.ACTIVE);
        assertThat(shown.getLinkError()).isEqualTo(LinkError.NO_ERROR);
        assertThat(links.listKafkaLinks(cluster).getData()).extracting(LinkData::getLinkName).contains(link);

        MirrorData listed = mirrors.listKafkaMirrorTopicsUnderLink(cluster, link, null).getData().get(0);
        assertThat(listed.getKind()).isEqualTo("KafkaMirrorData");
        assertThat(listed.getLinkName()).isEqualTo(link);
        assertThat(listed.getMirrorTopicName()).isEqualTo(topic);
        assertThat(listed.getSourceTopicName()).isEqualTo(topic);
        assertThat(listed.getNumPartitions()).isEqualTo(2);
        assertThat(listed.getMirrorLags()).extracting(MirrorLag::getPartition).containsExactly(0, 1);
        assertThat(listed.getStateTimeMs()).isPositive();
        assertThat(listed.getMirrorTopicError()).isEqualTo(MirrorTopicError.NO_ERROR);

        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            MirrorData m = mirrors.readKafkaMirrorTopic(cluster, link, topic, null);
            return m.getMirrorStatus() == MirrorTopicStatus.ACTIVE
                    && m.getMirrorLags().stream().mapToLong(MirrorLag::getLastSourceFetchOffset).sum() == RECORDS
                    && m.getMirrorLags().stream().allMatch(l -> l.getLag() == 0L);
        });
        assertThat(mirrors.listKafkaMirrorTopicsUnderLink(cluster, link, MirrorTopicStatus.ACTIVE).getData())
                .extracting(MirrorData::getMirrorTopicName).containsExactly(topic);

        ResourceListAlterMirrorsData promoted = mirrors.updateKafkaMirrorTopicsPromote(cluster, link,
                new AlterMirrorsRequest().mirrorTopicNames(List.of(topic)), false);
        assertThat(promoted.getKind()).isEqualTo("KafkaPromoteMirror");
        AlterMirrorsData result = promoted.getData().get(0);
        assertThat(result.getMirrorTopicName()).isEqualTo(topic);
        assertThat(result.getErrorCode()).isNull();
        assertThat(result.getErrorMessage()).isNull();
        assertThat(result.getMirrorLags()).hasSize(2);

        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(
                () -> mirrors.readKafkaMirrorTopic(cluster, link, topic, null)
                        .getMirrorStatus() == MirrorTopicStatus.STOPPED);
        links.deleteKafkaLink(cluster, link, false, false);

        assertThat(links.listKafkaLinks(cluster).getData()).extracting(LinkData::getLinkName).doesNotContain(link);
    }

    @Test
    void anErrorAnswerDecodesAsTheErrorSchema() throws Exception {
        String cluster = new ClustersApi(client).listKafkaClusters().getData().get(0).getClusterId();
        String unknown = uniqueName("no-such-link");

        ApiException e = catchThrowableOfType(ApiException.class, () -> links.getKafkaLink(cluster, unknown, false));

        assertThat(e.getCode()).isEqualTo(404);
        Error error = client.getObjectMapper().readValue(e.getResponseBody(), Error.class);
        assertThat(error.getErrorCode()).isEqualTo(40403);
        assertThat(error.getMessage()).contains(unknown);
    }

    private void produce(String topic) {
        try (KafkaProducer<byte[], byte[]> producer = KafkaClusters.producer(kafka.source(), Map.of())) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>(topic, i % 2, null, ("r" + i).getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
        }
    }
}
