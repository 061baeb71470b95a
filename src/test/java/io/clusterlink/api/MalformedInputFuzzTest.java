package io.clusterlink.api;

import static io.clusterlink.testing.ClusterLinkApi.awaitStatus;
import static io.clusterlink.testing.ClusterLinkApi.createLink;
import static io.clusterlink.testing.ClusterLinkApi.createMirror;
import static io.clusterlink.testing.KafkaClusters.uniqueName;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Supplier;

import jakarta.inject.Inject;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.agroal.api.AgroalDataSource;
import io.clusterlink.testing.ClusterLinkApi;
import io.clusterlink.testing.KafkaClusters;
import io.clusterlink.testing.KafkaClustersResource;
import io.clusterlink.testing.LinkCleanup;
import io.clusterlink.testing.TestUsers;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/**
 * Sends thousands of generated requests that are each invalid by construction (a bad name, body,
 * parameter, config, content type, encoding or size) to every endpoint, and checks that every
 * answer is a 4xx with a v3 error body, and that nothing stored changed.
 * <p>
 * The seed is printed; {@code -Dclusterlink-test.fuzz-seed=<seed>} repeats a run and
 * {@code -Dclusterlink-test.fuzz-requests=<n>} changes its length.
 */
@QuarkusTest
@QuarkusTestResource(KafkaClustersResource.class)
class MalformedInputFuzzTest {

    private static final Logger LOG = Logger.getLogger(MalformedInputFuzzTest.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 1024 * 1024;

    @Inject
    AgroalDataSource dataSource;

    private final KafkaClusters kafka = KafkaClusters.get();
    private Random random;
    private String cluster;
    private String link;
    private String topic;

    /** One generated request; {@code why} says what makes it invalid. */
    record Request(String why, String method, String target, String contentType, byte[] body) {
    }

    record Answer(int status, Map<String, String> headers, String body) {
    }

    @RegisterExtension
    final LinkCleanup cleanup = new LinkCleanup();

    @Test
    void malformedRequestsGetOnlyV3ErrorsAndChangeNothing() throws Exception {
        // Given a link with an ACTIVE mirror, and the stored state seen through the API and in SQL
        long seed = Long.getLong("clusterlink-test.fuzz-seed", System.nanoTime());
        int count = Integer.getInteger("clusterlink-test.fuzz-requests", 3000);
        LOG.infof("Fuzz seed %d (repeat with -Dclusterlink-test.fuzz-seed=%d), %d requests", seed, seed, count);
        random = new Random(seed);
        cluster = ClusterLinkApi.clusterId();
        topic = uniqueName("fuzz-topic");
        link = uniqueName("fuzz-link");
        KafkaClusters.createTopic(kafka.source(), topic, 2, Map.of());
        createLink(link, kafka.source().bootstrapServers(), Map.of("acl.sync.ms", "7000"));
        createMirror(link, topic);
        awaitStatus(link, topic, "ACTIVE");
        String apiBefore = apiState();
        String sqlBefore = stableSqlState();

        // When thousands of invalid requests arrive
        Map<Integer, Integer> histogram = new TreeMap<>();
        Map<String, Integer> perEndpoint = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        Map<String, Integer> problems = new TreeMap<>();
        int decoderRefused = 0;
        long started = System.nanoTime();
        for (int i = 0; i < count; i++) {
            Generator generator = GENERATORS[random.nextInt(GENERATORS.length)];
            Request request = generator.make(this);
            Answer answer = send(request);
            histogram.merge(answer.status(), 1, Integer::sum);
            if (notValidHttp(request)) {
                decoderRefused++;
            }
            perEndpoint.merge(generator.name(), 1, Integer::sum);
            String problem = problem(request, answer);
            String kind = generator.name() + " / " + request.why() + " -> " + answer.status() + " " + problem;
            if (problem != null && problems.merge(kind, 1, Integer::sum) == 1) {
                failures.add(String.format("#%d %s: %s %s [%s] body=%s -> %d %s: %s", i, request.why(),
                        request.method(), cut(request.target(), 200), request.contentType(),
                        cut(new String(request.body() == null ? new byte[0] : request.body(), StandardCharsets.UTF_8),
                                200),
                        answer.status(), answer.headers().get("content-type"),
                        problem + " | " + cut(answer.body(), 300)));
            }
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        LOG.infof("Fuzz: %d requests in %d ms (seed %d); statuses %s; per endpoint %s; refused by the HTTP "
                + "decoder (bad percent-escape, request line too long) %d", count, millis, seed, histogram, perEndpoint,
                decoderRefused);

        // Then every answer was a 4xx v3 error, and the stored state is unchanged
        assertThat(failures).as("answers that are not a 4xx v3 error (seed %d), by kind: %s", seed, problems)
                .isEmpty();
        // Made as the operator, no request may stop at authentication or authorization: it reached validation
        assertThat(histogram).doesNotContainKeys(401, 403);
        assertThat(apiState()).as("state through the API").isEqualTo(apiBefore);
        assertThat(sqlState()).as("state in PostgreSQL").isEqualTo(sqlBefore);
    }

    @Test
    void oversizedRequestLinesHeadersAndChunkedBodiesAre4xx() throws IOException {
        // Given requests over the HTTP limits
        // (Authenticated: the API's limits are checked after the credentials.)
        String head = " HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + OPERATOR_AUTHORIZATION
                + "\r\nConnection: close\r\n";
        String longLine = "GET /links/" + "x".repeat(5000) + head + "\r\n";
        String justLongEnough = "GET /links?x=" + "x".repeat(4096 - "GET /links?x= HTTP/1.1".length() + 1) + head
                + "\r\n";
        String justShortEnough = "GET /links?x=" + "x".repeat(4096 - "GET /links?x= HTTP/1.1".length()) + head
                + "\r\n";
        String bigHeader = "GET /links" + head + "X-Big: " + "h".repeat(30_000) + "\r\n\r\n";
        String hugeLine = "GET /links/" + "x".repeat(70_000) + head + "\r\n";
        ByteArrayOutputStream chunked = new ByteArrayOutputStream();
        chunked.write(("POST /links?link_name=" + uniqueName("chunked") + " HTTP/1.1\r\nHost: localhost\r\n"
                + "Authorization: " + OPERATOR_AUTHORIZATION + "\r\n"
                + "Connection: close\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        byte[] chunk = new byte[64 * 1024];
        java.util.Arrays.fill(chunk, (byte) ' ');
        for (int i = 0; i < 20; i++) {
            chunked.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            chunked.write(chunk);
            chunked.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        chunked.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

        // When they are sent, then they are refused
        assertV3Error(sendRaw(longLine.getBytes(StandardCharsets.US_ASCII)), 414, "at most 4096 bytes");
        assertV3Error(sendRaw(justLongEnough.getBytes(StandardCharsets.US_ASCII)), 414, "at most 4096 bytes");
        Answer shortEnough = sendRaw(justShortEnough.getBytes(StandardCharsets.US_ASCII));
        assertThat(shortEnough.body()).as("a request line of 4096 bytes reaches the API")
                .doesNotContain("at most 4096");
        assertV3Error(sendRaw(bigHeader.getBytes(StandardCharsets.US_ASCII)), 431, "at most 20480 bytes");
        // Past the HTTP decoder's own limit (64 KB) the decoder answers, without a body.
        assertThat(sendRaw(hugeLine.getBytes(StandardCharsets.US_ASCII)).status()).isEqualTo(414);
        Answer tooLarge = sendRaw(chunked.toByteArray());
        LOG.infof("A chunked body over the limit: %d %s %s", tooLarge.status(), tooLarge.headers().get("content-type"),
                tooLarge.body());
        assertThat(tooLarge.status()).isEqualTo(413);
    }

    private static void assertV3Error(Answer answer, int status, String message) {
        assertThat(answer.status()).as(answer.toString()).isEqualTo(status);
        assertThat(v3Problem(answer)).as(answer.toString()).isNull();
        assertThat(answer.body()).contains(message);
    }

    private static Answer sendRaw(byte[] request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            socket.setSoTimeout(30_000);
            try {
                socket.getOutputStream().write(request);
                socket.getOutputStream().flush();
            } catch (IOException e) {
                // answered and closed before the whole request was sent
            }
            return read(socket.getInputStream());
        }
    }

    /**
     * Why an answer is wrong, or null: a 4xx with a JSON v3 error body and no trace of Java; a 414
     * for a request line over 4096 bytes. A request that is not valid HTTP (a bad percent-escape in
     * its target) is refused by the HTTP decoder before any route runs: a 400 without a body.
     */
    private static String problem(Request request, Answer answer) {
        if (answer.status() < 400 || answer.status() > 499) {
            return "status is not 4xx";
        }
        if (notValidHttp(request)) {
            return answer.status() == 400 && answer.body().isEmpty() ? null : "not the HTTP decoder's 400";
        }
        if (request.method().length() + request.target().length() + 10 > 4096 && answer.status() != 414) {
            return "not a 414 for a request line over 4096 bytes";
        }
        return v3Problem(answer);
    }

    /** Why an answer is not a v3 error body without a trace of Java, or null. */
    private static String v3Problem(Answer answer) {
        String type = answer.headers().getOrDefault("content-type", "");
        if (!type.startsWith("application/json")) {
            return "not JSON";
        }
        JsonNode body;
        try {
            body = JSON.readTree(answer.body());
        } catch (IOException e) {
            return "body is not JSON";
        }
        if (body == null || !body.path("error_code").isInt() || !body.path("message").isTextual()
                || body.size() != 2) {
            return "not a v3 error body";
        }
        String message = body.get("message").asText();
        if (message.matches("(?s).*(\\bat [\\w.$]+\\(|Exception|Error:|java\\.|io\\.clusterlink|org\\.apache|"
                + "com\\.fasterxml|jakarta\\.|io\\.vertx|io\\.quarkus|org\\.jboss|io\\.netty).*")) {
            return "message shows Java internals";
        }
        if (message.codePoints().anyMatch(c -> Character.getType(c) == Character.CONTROL)) {
            return "message has control characters";
        }
        if (message.length() > 2000) {
            return "message is " + message.length() + " characters long";
        }
        return null;
    }

    private static boolean notValidHttp(Request r) {
        return BAD_ESCAPE.matcher(r.target()).find();
    }

    private static final java.util.regex.Pattern BAD_ESCAPE = java.util.regex.Pattern.compile("%(?![0-9A-Fa-f]{2})");

    // ---- the generators, one per endpoint; each request is invalid by construction ----

    interface Generator {
        String name();

        Request make(MalformedInputFuzzTest f);
    }

    private static Generator gen(String name, java.util.function.Function<MalformedInputFuzzTest, Request> make) {
        return new Generator() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Request make(MalformedInputFuzzTest f) {
                return make.apply(f);
            }
        };
    }

    private static final Generator[] GENERATORS = {
        gen("POST links", MalformedInputFuzzTest::createLinkRequest),
        gen("GET link", f -> f.linkRequest("GET")),
        gen("DELETE link", f -> f.linkRequest("DELETE")),
        gen("GET links", MalformedInputFuzzTest::listLinksRequest),
        gen("GET configs", MalformedInputFuzzTest::getConfigRequest),
        gen("PUT config", MalformedInputFuzzTest::putConfigRequest),
        gen("DELETE config", MalformedInputFuzzTest::deleteConfigRequest),
        gen("PUT configs:alter", MalformedInputFuzzTest::alterRequest),
        gen("POST mirrors", MalformedInputFuzzTest::createMirrorRequest),
        gen("GET mirrors", MalformedInputFuzzTest::listMirrorsRequest),
        gen("GET mirror", MalformedInputFuzzTest::getMirrorRequest),
        gen("POST mirrors:action", MalformedInputFuzzTest::actionRequest),
        gen("POST /mirrors/topic:action", MalformedInputFuzzTest::shortActionRequest),
        gen("other routes", MalformedInputFuzzTest::otherRequest),
        gen("too large", MalformedInputFuzzTest::tooLargeRequest),
    };

    private String linksBase(boolean shortForm) {
        return shortForm ? "/links" : "/kafka/v3/clusters/" + cluster + "/links";
    }

    private Request createLinkRequest() {
        boolean shortForm = random.nextBoolean();
        String base = linksBase(shortForm);
        Map<String, String> query = new LinkedHashMap<>();
        query.put("link_name", enc(uniqueName("fuzz-new")));
        maybe(() -> query.put("validate_only", enc(anyBool())));
        maybe(() -> query.put("validate_link", enc(anyBool())));
        Object body = linkBody(validConfigs());
        String why;
        switch (random.nextInt(9)) {
            case 0 -> {
                why = "illegal link_name";
                if (random.nextInt(4) == 0) {
                    query.remove("link_name");
                } else {
                    query.put("link_name", pathish(illegalLinkName()));
                }
            }
            case 1 -> {
                why = "existing link_name";
                query.put("link_name", link);
            }
            case 2 -> {
                why = "garbage boolean";
                query.put(random.nextBoolean() ? "validate_only" : "validate_link", enc(garbageBool()));
            }
            case 3 -> {
                why = "invalid configs";
                body = linkBody(invalidLinkConfigs());
            }
            case 4 -> {
                why = "wrong JSON type";
                body = wrongTypeLinkBody();
            }
            case 5 -> {
                why = "not a destination-initiated link";
                Map<String, Object> m = linkBody(validConfigs());
                m.put(random.nextBoolean() ? "destination_cluster_id" : "remote_cluster_id", pick("x", cluster, "-"));
                body = m;
            }
            case 6 -> {
                why = "illegal source_cluster_id";
                Map<String, Object> m = linkBody(validConfigs());
                m.put("source_cluster_id",
                        pick("a".repeat(65 + random.nextInt(5000)), "bad id", "id\u0000", "é", "a/b"));
                query.put("validate_link", "false");
                body = m;
            }
            case 7 -> {
                return withQuery(malformedBody("POST", base), query);
            }
            default -> {
                return withQuery(wrongContentType("POST", base, json(body)), query);
            }
        }
        return new Request(why, "POST", base + query(query), "application/json", bytes(maybeNoise(body)));
    }

    private Request linkRequest(String method) {
        boolean shortForm = random.nextBoolean();
        String base = linksBase(shortForm);
        String param = method.equals("GET") ? "include_tasks" : pick("force", "validate_only");
        return switch (random.nextInt(4)) {
            case 0 -> new Request("illegal link name", method, base + "/" + pathish(illegalLinkName())
                    + optionalQuery(param), null, null);
            case 1 -> new Request("unknown link", method, base + "/" + uniqueName("no-such-link")
                    + optionalQuery(param), null, null);
            case 2 -> new Request("unknown cluster", method, "/kafka/v3/clusters/" + pathish(pick("no-such-cluster",
                    illegalLinkName())) + "/links/" + link, null, null);
            default -> new Request("garbage boolean", method, base + "/" + link + "?" + param + "="
                    + enc(garbageBool()) + (method.equals("DELETE") && random.nextBoolean() ? "&force=true" : ""),
                    null, null);
        };
    }

    private Request listLinksRequest() {
        return switch (random.nextInt(3)) {
            case 0 -> new Request("unknown cluster", "GET", "/kafka/v3/clusters/" + pathish(pick("no-such-cluster",
                    illegalLinkName(), "%zz", "%C3%28")) + "/links", null, null);
            case 1 -> new Request("wrong method", pick("PUT", "PATCH"), linksBase(random.nextBoolean()),
                    "application/json", bytes("{}"));
            default -> new Request("wrong Accept", "GET", linksBase(random.nextBoolean()), null, null);
        };
    }

    private String configsBase(String linkName) {
        return "/kafka/v3/clusters/" + cluster + "/links/" + linkName + "/configs";
    }

    private Request getConfigRequest() {
        return switch (random.nextInt(3)) {
            case 0 -> new Request("unknown config", "GET", configsBase(link) + "/" + pathish(unknownConfigName()), null,
                    null);
            case 1 -> new Request("illegal link name", "GET", configsBase(pathish(illegalLinkName()))
                    + (random.nextBoolean() ? "" : "/acl.sync.ms"), null, null);
            default -> new Request("unknown link", "GET", configsBase(uniqueName("no-such-link")), null, null);
        };
    }

    private Request putConfigRequest() {
        String target = configsBase(link) + "/";
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("value", "9000");
        switch (random.nextInt(7)) {
            case 0 -> {
                return new Request("unknown config", "PUT", target + pathish(unknownConfigName()), "application/json",
                        bytes(json(body)));
            }
            case 1 -> {
                String[] bad = invalidConfigValue();
                body.put("value", bad[1]);
                return new Request("invalid value", "PUT", target + bad[0], "application/json", bytes(json(body)));
            }
            case 2 -> {
                // values none of the three has (the same value sent back is accepted: it changes nothing)
                body.put("value", pick("dr.", "SOURCE", "INBOUND", "BIDIRECTIONAL"));
                return new Request("fixed after create", "PUT", target + pick("cluster.link.prefix", "link.mode",
                        "connection.mode"), "application/json", bytes(json(body)));
            }
            case 3 -> {
                Object v = pick(null, 9000, true, List.of("9000"), Map.of("v", "1"), 1.5);
                Map<String, Object> m = new LinkedHashMap<>();
                if (v != null || random.nextBoolean()) {
                    m.put("value", v);
                }
                m.put(pick("valeu", "name"), "9000");
                return new Request("missing or mistyped value", "PUT", target + "acl.sync.ms", "application/json",
                        bytes(json(m)));
            }
            case 4 -> {
                return malformedBody("PUT", target + "acl.sync.ms");
            }
            case 5 -> {
                return wrongContentType("PUT", target + "acl.sync.ms", json(body));
            }
            default -> {
                return new Request("illegal link name", "PUT", configsBase(pathish(illegalLinkName())) + "/acl.sync.ms",
                        "application/json", bytes(json(body)));
            }
        }
    }

    private Request deleteConfigRequest() {
        return switch (random.nextInt(3)) {
            case 0 -> new Request("unknown config", "DELETE", configsBase(link) + "/" + pathish(unknownConfigName()),
                    null, null);
            case 1 -> new Request("not deletable", "DELETE", configsBase(link) + "/" + pick("bootstrap.servers",
                    "cluster.link.prefix", "link.mode"), null, null);
            default -> new Request("illegal link name", "DELETE", configsBase(pathish(illegalLinkName()))
                    + "/acl.sync.ms", null, null);
        };
    }

    private Request alterRequest() {
        String target = configsBase(link) + (random.nextBoolean() ? ":alter" : "%3Aalter");
        List<Object> data = new ArrayList<>();
        data.add(Map.of("name", "acl.sync.ms", "value", "8000"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("data", data);
        String query = "";
        String why;
        switch (random.nextInt(9)) {
            case 0 -> {
                why = "unknown config";
                data.add(random.nextInt(data.size() + 1), Map.of("name", unknownConfigName(), "value", "1"));
            }
            case 1 -> {
                why = "invalid value";
                String[] bad = invalidConfigValue();
                data.add(random.nextInt(data.size() + 1), Map.of("name", bad[0], "value", bad[1]));
            }
            case 2 -> {
                why = "bad operation";
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("name", "acl.sync.ms");
                item.put("value", "8000");
                item.put("operation", pick("EXPLODE", "set ", "", "REMOVE", "APPEND"));
                data.add(item);
            }
            case 3 -> {
                why = "wrong item shape";
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("name", pick(null, 5, List.of(), ""));
                item.put("value", "1");
                data.add(random.nextInt(data.size() + 1), random.nextInt(4) == 0 ? null : item);
            }
            case 4 -> {
                why = "wrong data type";
                body.put("data", pick(null, "acl.sync.ms", 5, Map.of("name", "acl.sync.ms"), true));
                maybe(() -> body.put("validate_only", pick("yes", 1, List.of())));
            }
            case 5 -> {
                why = "garbage validate_only";
                query = "?validate_only=" + enc(garbageBool());
            }
            case 6 -> {
                why = "too many configs";
                for (int i = 0; i < 501 + random.nextInt(20_000); i++) {
                    data.add(Map.of("name", "acl.sync.ms", "value", "8000"));
                }
            }
            case 7 -> {
                return malformedBody("PUT", target);
            }
            default -> {
                return wrongContentType("PUT", target, json(body));
            }
        }
        return new Request(why, "PUT", target + query, "application/json", bytes(maybeNoise(body)));
    }

    private String mirrorsBase(String linkName) {
        return random.nextBoolean() ? "/links/" + linkName + "/mirrors"
                : "/kafka/v3/clusters/" + cluster + "/links/" + linkName + "/mirrors";
    }

    private Request createMirrorRequest() {
        String target = mirrorsBase(link);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("source_topic_name", topic);
        String why;
        switch (random.nextInt(9)) {
            case 0 -> {
                why = "illegal source_topic_name";
                body.put("source_topic_name", illegalTopicName());
            }
            case 1 -> {
                why = "renamed mirror";
                body.put("mirror_topic_name", pick("other", topic + "x", illegalTopicName()));
            }
            case 2 -> {
                why = "bad replication_factor";
                body.put("replication_factor", pick(0, -2, 40_000, Integer.MIN_VALUE, "3", 1.5, true, List.of(3)));
            }
            case 3 -> {
                why = "wrong JSON type";
                String field = pick("source_topic_name", "mirror_topic_name", "configs");
                body.put(field, pick(5, true, List.of("a"), Map.of("a", 1), 2.5));
                if (field.equals("configs")) {
                    body.put(field, pick("x", 5, Map.of("name", "a"), List.of(5), List.of("x")));
                }
            }
            case 4 -> {
                why = "bad topic configs";
                List<Object> configs = new ArrayList<>();
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("name", pick("message.timestamp.type", null, "", "cleanup.policy"));
                item.put("value", item.get("name") == "cleanup.policy" ? null : "x");
                configs.add(random.nextInt(5) == 0 ? null : item);
                if (random.nextInt(4) == 0) {
                    for (int i = 0; i < 501 + random.nextInt(30_000); i++) {
                        configs.add(Map.of("name", "retention.ms", "value", "1"));
                    }
                }
                body.put("configs", configs);
            }
            case 5 -> {
                why = "existing mirror";
            }
            case 6 -> {
                why = "illegal link name";
                target = mirrorsBase(pathish(illegalLinkName()));
            }
            case 7 -> {
                return malformedBody("POST", target);
            }
            default -> {
                return wrongContentType("POST", target, json(body));
            }
        }
        return new Request(why, "POST", target, "application/json", bytes(maybeNoise(body)));
    }

    private Request listMirrorsRequest() {
        return switch (random.nextInt(3)) {
            case 0 -> new Request("bad mirror_status", "GET", mirrorsBase(pick(link, "-")) + "?mirror_status="
                    + enc(pick("SLEEPING", "ACTIVE_", "1", "ACTIVE,PAUSED", "\u0000", "x".repeat(3000))), null, null);
            case 1 -> new Request("illegal link name", "GET", mirrorsBase(pathish(illegalLinkName())), null, null);
            default -> new Request("unknown link", "GET", mirrorsBase(uniqueName("no-such-link")), null, null);
        };
    }

    private Request getMirrorRequest() {
        return switch (random.nextInt(3)) {
            case 0 -> new Request("illegal topic name", "GET", mirrorsBase(link) + "/" + pathish(illegalTopicName()),
                    null, null);
            case 1 -> new Request("unknown mirror", "GET", mirrorsBase(link) + "/" + uniqueName("no-such-topic"), null,
                    null);
            default -> new Request("illegal link name", "GET", mirrorsBase(pathish(illegalLinkName())) + "/" + topic,
                    null, null);
        };
    }

    private Request actionRequest() {
        String action = pick("promote", "failover", "pause", "resume", "truncate-and-restore");
        String linkName = link;
        String colon = pick(":", "%3A", "%3a");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("mirror_topic_names", List.of(topic));
        String query = "";
        String why;
        switch (random.nextInt(10)) {
            case 0 -> {
                why = "names and pattern";
                body.put("mirror_topic_name_pattern", pick(".*", topic));
            }
            case 1 -> {
                why = "neither names nor pattern";
                body.clear();
                maybe(() -> body.put("mirror_topic_names", List.of()));
                maybe(() -> body.put("mirror_topic_name_pattern", ""));
            }
            case 2 -> {
                why = "illegal names";
                List<Object> names = new ArrayList<>(List.of(topic));
                names.add(random.nextInt(names.size() + 1), random.nextInt(5) == 0 ? null : illegalTopicName());
                body.put("mirror_topic_names", names);
            }
            case 3 -> {
                why = "too many names";
                List<String> names = new ArrayList<>();
                names.add(topic);
                for (int i = 0; i < 1000 + random.nextInt(60_000); i++) {
                    names.add("t" + i);
                }
                body.put("mirror_topic_names", names);
            }
            case 4 -> {
                why = "bad pattern";
                body.clear();
                body.put("mirror_topic_name_pattern", pick("(unclosed", "[a-", "*", "a{2,1}", "\\", "(?<n>a)\\k<m>",
                        "x".repeat(1001 + random.nextInt(5000)), "(?x" + topic));
            }
            case 5 -> {
                why = "wrong JSON type";
                body.clear();
                if (random.nextBoolean()) {
                    body.put("mirror_topic_names",
                            pick(topic, 5, Map.of("a", topic), List.of(5), List.of(List.of(topic))));
                } else {
                    body.put("mirror_topic_name_pattern", pick(5, true, List.of(".*"), Map.of()));
                }
            }
            case 6 -> {
                why = "garbage validate_only";
                query = "?validate_only=" + enc(garbageBool());
                if (action.equals("truncate-and-restore") && random.nextBoolean()) {
                    why = "garbage include_partition_level_truncation_data";
                    query = "?include_partition_level_truncation_data=" + enc(garbageBool());
                }
            }
            case 7 -> {
                why = "unknown or illegal link";
                linkName = random.nextBoolean() ? uniqueName("no-such-link") : pathish(illegalLinkName());
            }
            case 8 -> {
                return malformedBody("POST", "/kafka/v3/clusters/" + cluster + "/links/" + link + "/mirrors" + colon
                        + action);
            }
            default -> {
                why = "unknown action";
                action = pick("explode", "PROMOTE", "promote ", "", "reverse-and-stop-mirror", "%zz");
            }
        }
        String target = "/kafka/v3/clusters/" + cluster + "/links/" + linkName + "/mirrors" + colon + enc(action)
                + query;
        if (random.nextInt(6) == 0) {
            return wrongContentType("POST", target, json(body));
        }
        return new Request(why, "POST", target, "application/json", bytes(maybeNoise(body)));
    }

    private Request shortActionRequest() {
        String action = pick("promote", "failover", "pause", "resume");
        String colon = pick(":", "%3A");
        return switch (random.nextInt(4)) {
            case 0 ->
                new Request("illegal topic name", "POST", "/mirrors/" + pathish(illegalTopicName()) + colon + action,
                        null, null);
            case 1 -> new Request("unknown mirror", "POST", "/mirrors/" + uniqueName("no-such-topic") + colon + action,
                    null, null);
            case 2 -> new Request("unknown action", "POST", "/mirrors/" + topic + pick(colon + "explode", colon, "",
                    colon + "PROMOTE", colon + "%zz"), null, null);
            default -> new Request("garbage validate_only", "POST", "/mirrors/" + topic + colon + action
                    + "?validate_only=" + enc(garbageBool()), "application/json", bytes("{}"));
        };
    }

    private Request otherRequest() {
        return switch (random.nextInt(5)) {
            case 0 -> new Request("unknown route", pick("GET", "POST", "DELETE"), pick("/no/such/path", "/kafka/v3",
                    "/kafka/v3/clusters/" + cluster + "/links/" + link + "/nothing/here", "/links/" + link + "/mirrors/"
                            + topic + "/x",
                    "/%zz", "/kafka/v3/clusters/%"), null, null);
            case 1 -> new Request("wrong method", pick("PATCH", "PUT", "DELETE"), pick("/kafka/v3/clusters",
                    "/links/" + link + "/mirrors", "/kafka/v3/clusters/" + cluster + "/links/" + link + "/mirrors/"
                            + topic),
                    "application/json", bytes("{}"));
            case 2 -> new Request("unknown cluster", "GET", "/kafka/v3/clusters/" + pathish(pick("no-such-cluster",
                    illegalLinkName())), null, null);
            case 3 -> new Request("bad percent-encoding", pick("GET", "DELETE"), pick("/links/%zz", "/links/a%",
                    "/links/%C3%28", "/links/%FF%FE", "/links/" + link + "/mirrors/%E2%82", "/links/%00",
                    "/links/" + link + "?include_tasks=%zz", "/links/" + link + "?include_tasks=%"), null, null);
            default -> new Request("unsupported media type", "POST", "/links?link_name=" + uniqueName("fuzz-new"),
                    pick("text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data",
                            "application/json-patch+json"),
                    bytes("link_name=x"));
        };
    }

    private Request tooLargeRequest() {
        byte[] body = new byte[MAX_BODY + 1 + random.nextInt(64 * 1024)];
        java.util.Arrays.fill(body, (byte) ' ');
        body[0] = '{';
        body[body.length - 1] = '}';
        String target = pick("/links?link_name=" + uniqueName("fuzz-new"), "/links/" + link + "/mirrors",
                configsBase(link) + ":alter");
        return new Request("body over the limit", target.contains(":alter") ? "PUT" : "POST", target,
                "application/json", body);
    }

    // ---- malformed bodies, names and values ----

    private Request malformedBody(String method, String target) {
        String valid = json(Map.of("configs", List.of(Map.of("name", "bootstrap.servers", "value", "127.0.0.1:1")),
                "source_topic_name", topic, "mirror_topic_names", List.of(topic), "data", List.of(Map.of("name",
                        "acl.sync.ms", "value", "8000")),
                "value", "8000"));
        String body;
        String why;
        switch (random.nextInt(8)) {
            case 0 -> {
                why = "truncated JSON";
                body = valid.substring(0, 1 + random.nextInt(valid.length() - 1));
            }
            case 1 -> {
                why = "invalid JSON";
                body = pick("{", "}", "{\"a\":}", "{'a':1}", "{\"a\" 1}", "{,}", "nul", "{\"a\":1,}", "\u0000",
                        "{\"a\":01}", "{\"a\":\"\\x\"}", "{\"a\":NaN}", "\"unterminated", "{\"a\":[1,2}");
            }
            case 2 -> {
                why = "not an object";
                body = pick("[]", "[1,2]", "1", "true", "\"text\"", "[{}]");
            }
            case 3 -> {
                why = "deep nesting";
                int depth = 1500 + random.nextInt(50_000);
                body = "{\"configs\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
            }
            case 4 -> {
                why = "duplicate field";
                body = valid.substring(0, valid.length() - 1) + ",\"value\":\"1\",\"configs\":[]}";
            }
            case 5 -> {
                why = "garbage bytes";
                byte[] b = new byte[1 + random.nextInt(2000)];
                random.nextBytes(b);
                b[0] = '{';
                return new Request(why, method, target, "application/json", b);
            }
            case 6 -> {
                why = "empty or null body";
                body = pick("", "null", " ");
            }
            default -> {
                why = "invalid UTF-8";
                return new Request(why, method, target, "application/json; charset=UTF-8",
                        new byte[] { '{', '"', 'v', 'a', 'l', 'u', 'e', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"',
                            '}' });
            }
        }
        return new Request(why, method, target, "application/json", bytes(body));
    }

    private Request wrongContentType(String method, String target, String body) {
        String type = pick("text/plain", "application/xml", "text/html", "application/octet-stream",
                "application/x-www-form-urlencoded", "image/png", "application/jsonx", "*/*x");
        return new Request("wrong content type " + type, method, target, type, bytes(body));
    }

    private Request withQuery(Request r, Map<String, String> query) {
        return new Request(r.why(), r.method(), r.target() + query(query), r.contentType(), r.body());
    }

    private Map<String, Object> linkBody(Object configs) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("configs", configs);
        return m;
    }

    private List<Object> validConfigs() {
        List<Object> configs = new ArrayList<>();
        configs.add(Map.of("name", "bootstrap.servers", "value", "127.0.0.1:1"));
        return configs;
    }

    private List<Object> invalidLinkConfigs() {
        List<Object> configs = validConfigs();
        switch (random.nextInt(7)) {
            case 0 ->
                configs.add(random.nextInt(configs.size() + 1), Map.of("name", unknownConfigName(), "value", "1"));
            case 1 -> {
                String[] bad = invalidConfigValue();
                configs.add(random.nextInt(configs.size() + 1), Map.of("name", bad[0], "value", bad[1]));
            }
            case 2 -> configs.clear();
            case 3 -> configs.add(Map.of("name", "bootstrap.servers", "value", "127.0.0.1:2"));
            case 4 -> {
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("name", pick(null, "", "bootstrap.servers"));
                item.put("value", null);
                configs.add(random.nextInt(4) == 0 ? null : item);
                if ("bootstrap.servers".equals(item.get("name"))) {
                    configs.remove(0);
                }
            }
            case 5 -> {
                for (int i = 0; i < 501 + random.nextInt(40_000); i++) {
                    configs.add(Map.of("name", "x" + i, "value", "1"));
                }
            }
            default -> configs.add(Map.of("name", pick("acl.sync.enable", "consumer.offset.sync.enable",
                    "auto.create.mirror.topics.enable"), "value", "true"));
        }
        return configs;
    }

    private Object wrongTypeLinkBody() {
        Map<String, Object> m = linkBody(validConfigs());
        switch (random.nextInt(4)) {
            case 0 -> m.put("configs", pick("bootstrap.servers", 5, true, Map.of("name", "bootstrap.servers")));
            case 1 -> m.put("source_cluster_id", pick(5, true, List.of("x"), Map.of()));
            case 2 -> m.put("configs", List.of(pick(5, "x", true, List.of("a"))));
            default -> {
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("name", "bootstrap.servers");
                item.put("value", pick(5, true, List.of("127.0.0.1:1"), Map.of("h", 1), 1.5));
                if (random.nextBoolean()) {
                    item.put("name", pick(5, true, List.of("bootstrap.servers")));
                    item.put("value", "127.0.0.1:1");
                }
                m.put("configs", List.of(item));
            }
        }
        return m;
    }

    private String[] invalidConfigValue() {
        return pick(
                new String[] { "acl.sync.ms", pick("x", "-1", "999", "1e3", "", " ", "9".repeat(40)) },
                new String[] { "consumer.offset.sync.ms", pick("soon", "0", "1.5") },
                new String[] { "cluster.link.paused", pick("yes", "1", "") },
                new String[] { "num.cluster.link.fetchers", pick("0", "17", "two", "-1") },
                new String[] { "mirror.start.offset.spec", pick("middle", "2024-13-45", "") },
                new String[] { "acl.filters", pick("not json", "{\"aclFilters\":[]}", "[]", "{\"aclFilters\":" + "["
                        .repeat(3000) + "]".repeat(3000) + "}", "{\"aclFilters\":[{}]}") },
                new String[] { "consumer.offset.group.filters", pick("{", "{\"groupFilters\":[{\"name\":\"g\"}]}",
                        "{\"groupFilters\":[{\"name\":\"" + "g".repeat(300) + "\",\"patternType\":\"LITERAL\","
                                + "\"filterType\":\"INCLUDE\"}]}",
                        "{\"groupFilters\":[{\"name\":\"a\\u0000b\",\"patternType\":\"LITERAL\",\"filterType\":\"INCLUDE\"}]}",
                        "{\"topicFilters\":[]}") },
                new String[] { "auto.create.mirror.topics.filters", pick("{\"topicFilters\":[{\"name\":\"bad topic\","
                        + "\"patternType\":\"LITERAL\",\"filterType\":\"INCLUDE\"}]}",
                        "{\"topicFilters\":[{\"name\":\"t\","
                                + "\"patternType\":\"REGEX\",\"filterType\":\"INCLUDE\"}]}",
                        "{\"topicFilters\":5}") },
                new String[] { "topic.config.sync.include",
                    pick("unclean.leader.election.enable", "nope,retention.ms") },
                new String[] { "availability.check.consecutive.failure.threshold", pick("0", "1001", "x") },
                new String[] { "security.protocol", pick("CARRIER_PIGEON", "", "SASL") },
                new String[] { "sasl.jaas.config", pick("nonsense", "required x;", "\u0000") },
                new String[] { "client.dns.lookup", pick("default", "nope") });
    }

    private String unknownConfigName() {
        return pick("no.such.config", "foo.bar", "ssl.nope", "sasl.nope", "replica.fetch", "x".repeat(1 + random
                .nextInt(3000)), "bootstrap.servers ", "BOOTSTRAP.SERVERS", "a\u0000b", "a\nb", "тема", "\u202e",
                "%zz", "%C3%28", "..", ".", "a/b");
    }

    private String illegalLinkName() {
        return pick(".", "..", "bad name", "a!b", "a/b", "a\\b", "a:b", "тема", "a\u0000b", "a\tb", "\u202eevil",
                "x".repeat(201 + random.nextInt(random.nextBoolean() ? 100 : 3000)), "%zz", "%C3%28", "%",
                "a%2Fb", "a%00b", "*", "a?b", "😀");
    }

    private String illegalTopicName() {
        return pick("", ".", "..", "bad topic", "a!b", "a/b", "a:b", "тема", "a\u0000b", "\u202eevil", "a\nb",
                "x".repeat(250 + random.nextInt(random.nextBoolean() ? 100 : 10_000)), "*", "😀", "a,b");
    }

    private String garbageBool() {
        return pick("yes", "no", "1", "0", "on", "maybe", "t", "truee", " true", "false,true", "\u0000", "null",
                "x".repeat(500), "FALSE ", "tru\u0000e", "%zz");
    }

    private String anyBool() {
        return pick("true", "false", "TRUE", "False");
    }

    private Object maybeNoise(Object body) {
        if (body instanceof Map<?, ?> m && random.nextInt(3) == 0) {
            @SuppressWarnings("unchecked")
            Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) m);
            copy.put(pick("unknown_field", "kind", "metadata", "x".repeat(100)), pick(1, "x", List.of(), Map.of("a",
                    List.of(1, 2)), null));
            if (random.nextInt(5) == 0) {
                copy.put("huge_unknown", "y".repeat(random.nextInt(500_000)));
            }
            return copy;
        }
        return body;
    }

    /** A path segment: percent-encoded, or left raw when it is deliberately bad percent-encoding. */
    private String pathish(String segment) {
        if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
            // Dot segments are resolved by URL normalization (RFC 3986) before routing: not a name there.
            return "bad%20name";
        }
        if (segment.startsWith("%") || segment.contains("%2F") || segment.contains("%00")) {
            return segment;
        }
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private String optionalQuery(String param) {
        return random.nextBoolean() ? "" : "?" + param + "=" + enc(pick("true", "false", garbageBool()));
    }

    private static String query(Map<String, String> query) {
        StringBuilder sb = new StringBuilder();
        query.forEach((k, v) -> sb.append(sb.length() == 0 ? "?" : "&").append(k).append('=').append(v));
        return sb.toString();
    }

    private static String enc(String s) {
        return s.startsWith("%") ? s : URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @SafeVarargs
    private <T> T pick(T... options) {
        return options[random.nextInt(options.length)];
    }

    private void maybe(Runnable r) {
        if (random.nextBoolean()) {
            r.run();
        }
    }

    private static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] bytes(Object body) {
        return (body instanceof String s ? s : json(body)).getBytes(StandardCharsets.UTF_8);
    }

    private static String cut(String s, int max) {
        String shown = s.length() > max ? s.substring(0, max) + "...(" + s.length() + ")" : s;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }

    // ---- a raw HTTP/1.1 client: any bytes on the wire, nothing fixed up ----

    /** Every fuzzed request is made as the operator, so it reaches the validation it is meant to break. */
    private static final String OPERATOR_AUTHORIZATION = "Basic " + java.util.Base64.getEncoder().encodeToString(
            (TestUsers.OPERATOR + ":" + TestUsers.OPERATOR_PASSWORD).getBytes(StandardCharsets.UTF_8));

    private static Answer send(Request r) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            StringBuilder head = new StringBuilder();
            head.append(r.method()).append(' ').append(r.target()).append(" HTTP/1.1\r\n")
                    .append("Host: localhost\r\nConnection: close\r\n")
                    .append("Authorization: ").append(OPERATOR_AUTHORIZATION).append("\r\n");
            head.append("Accept: ").append(r.why().equals("wrong Accept") ? "text/html" : "application/json")
                    .append("\r\n");
            if (r.contentType() != null) {
                head.append("Content-Type: ").append(r.contentType()).append("\r\n");
            }
            byte[] body = r.body() == null ? new byte[0] : r.body();
            if (r.body() != null || r.method().equals("POST") || r.method().equals("PUT")) {
                head.append("Content-Length: ").append(body.length).append("\r\n");
            }
            head.append("\r\n");
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            try {
                out.write(body);
                out.flush();
            } catch (IOException e) {
                // The server may answer and close before the whole of a too large body is sent.
            }
            return read(socket.getInputStream());
        }
    }

    private static Answer read(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) >= 0;) {
                all.write(buf, 0, n);
            }
        } catch (java.net.SocketException e) {
            // connection reset after the answer
        }
        byte[] raw = all.toByteArray();
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            return new Answer(-1, Map.of(), "no HTTP answer: " + text);
        }
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    lines[i].substring(colon + 1).trim());
        }
        byte[] body = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = dechunk(body);
        }
        return new Answer(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    private static byte[] dechunk(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < body.length) {
            int lineEnd = i;
            while (lineEnd + 1 < body.length && !(body[lineEnd] == '\r' && body[lineEnd + 1] == '\n')) {
                lineEnd++;
            }
            int size = Integer.parseInt(
                    new String(body, i, lineEnd - i, StandardCharsets.US_ASCII).split(";")[0].trim(),
                    16);
            if (size == 0) {
                break;
            }
            out.write(body, lineEnd + 2, size);
            i = lineEnd + 2 + size + 2;
        }
        return out.toByteArray();
    }

    // ---- stored state ----

    /** Links, the reference link's configs, its mirrors and their statuses, as the API shows them. */
    private String apiState() {
        String links = given().get("/kafka/v3/clusters/{c}/links", cluster).then().statusCode(200).extract()
                .jsonPath().getList("data.link_name", String.class).stream().sorted().toList().toString();
        String configs = given().get("/kafka/v3/clusters/{c}/links/{l}/configs", cluster, link).then().statusCode(200)
                .extract().jsonPath().getList("data", Map.class).stream()
                .map(c -> c.get("name") + "=" + c.get("value") + (Boolean.TRUE.equals(c.get("is_default")) ? "(default)"
                        : ""))
                .toList().toString();
        String mirrors = given().get("/links/{l}/mirrors", link).then().statusCode(200).extract().jsonPath()
                .getList("data", Map.class).stream().map(m -> m.get("mirror_topic_name") + ":" + m.get("mirror_status")
                        + ":" + m.get("num_partitions"))
                .toList().toString();
        String mirror = given().get("/links/{l}/mirrors/{t}", link, topic).then().statusCode(200).extract().jsonPath()
                .getString("mirror_status");
        return "links=" + links + "\nconfigs=" + configs + "\nmirrors=" + mirrors + "\nmirror=" + mirror;
    }

    /**
     * Row counts and checksums of what requests can change: links with their (encrypted) configs,
     * mirrors with their statuses and offsets. Columns the data plane and the periodic checks
     * update on their own (link availability, state times, messages, versions) are left out.
     */
    private String sqlState() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            return row(s, "select count(*), coalesce(md5(string_agg(concat_ws('|', id, cluster_id, link_name, "
                    + "cluster_link_id, source_cluster_id, configs), ',' order by id)), '') from cluster_links")
                    + " / " + row(s, "select count(*), coalesce(md5(string_agg(concat_ws('|', id, link_id, cluster_id, "
                            + "mirror_topic_name, source_topic_name, source_topic_id, num_partitions, mirror_status, "
                            + "start_offsets, stop_offsets), ',' order by id)), '') from mirror_topics");
        }
    }

    /**
     * The SQL state once no mirror of an earlier test is between states, so that only a request
     * can change it while the requests run.
     */
    private String stableSqlState() {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("select count(*) from mirror_topics where mirror_status in "
                            + "('PENDING_MIRROR', 'PENDING_STOPPED')")) {
                rs.next();
                return rs.getInt(1) == 0;
            }
        });
        Supplier<String> state = () -> {
            try {
                return sqlState();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        };
        return state.get();
    }

    private static String row(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1) + ":" + rs.getString(2);
        }
    }
}
