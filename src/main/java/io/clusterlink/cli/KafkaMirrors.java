package io.clusterlink.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code kafka-mirrors}: creates, lists and describes mirror topics, promotes, fails over, pauses and
 * resumes them, and fails back (reverses them, truncates and restores their old sources), with the flags
 * and words of Confluent Platform's tool, through clusterlink's REST API.
 */
@Command(name = "kafka-mirrors", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        version = "clusterlink kafka-mirrors",
        description = "Create, list, describe, promote, fail over, pause, resume and reverse mirror topics on a "
                + "destination cluster of the clusterlink service, and restore diverged old source topics as mirrors.")
public class KafkaMirrors implements Callable<Integer>, Cli.Tool {

    private static final DateTimeFormatter STATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Action action;

    static class Action {
        @Option(names = "--create", description = "Create a mirror topic (needs --mirror-topic and --link).")
        boolean create;
        @Option(names = "--describe", description = "Describe mirror topics, with their partitions' lag.")
        boolean describe;
        @Option(names = "--list", description = "List mirror topic names.")
        boolean list;
        @Option(names = "--promote",
                description = "Stop mirroring once the mirror has every record of its source, and make it writable.")
        boolean promote;
        @Option(names = "--failover", description = "Stop mirroring now, whatever the lag, and make it writable.")
        boolean failover;
        @Option(names = "--pause", description = "Pause mirroring.")
        boolean pause;
        @Option(names = { "--unpause", "--resume" }, description = "Resume paused mirroring.")
        boolean unpause;
        @Option(names = "--reverse-and-start",
                description = "Stop mirroring (as --promote), then make the source topic a mirror of this one on the "
                        + "link of the same name on the source cluster, and start it.")
        boolean reverseAndStart;
        @Option(names = "--reverse-and-pause",
                description = "As --reverse-and-start, the source topic's mirror paused.")
        boolean reverseAndPause;
        @Option(names = "--truncate-and-restore",
                description = "On the old source cluster after a failover (needs --topics and --link, this cluster's "
                        + "link to the new source): set aside the topics' records past their stopped mirrors' ends "
                        + "in a recovery topic, then restore them as mirrors of those.")
        boolean truncateAndRestore;
    }

    /** An action on mirrors: its REST path and what its lines call it, in Confluent Platform's words. */
    private enum Verb {
        PROMOTE("promote", "stopping topic %s's mirror"),
        FAILOVER("failover", "stopping topic %s's mirror"),
        PAUSE("pause", "pausing topic %s's mirror"),
        RESUME("resume", "unpausing topic %s's mirror"),
        REVERSE_AND_START("reverse-and-start-mirror",
                "reversing local mirror and starting remote mirror for topic %s"),
        REVERSE_AND_PAUSE("reverse-and-pause-mirror",
                "reversing local mirror and pausing remote mirror for topic %s");

        final String path;
        final String request;

        Verb(String path, String request) {
            this.path = path;
            this.request = request;
        }
    }

    @Mixin
    Connection connection;

    @Option(names = "--mirror-topic", paramLabel = "<topic>",
            description = "With --create: the mirror topic to create; otherwise one more of --topics.")
    String mirrorTopic;

    @Option(names = "--source-topic", paramLabel = "<topic>",
            description = "With --create: the source topic (default: the mirror topic's name).")
    String sourceTopic;

    @Option(names = { "--link", "--links" }, paramLabel = "<link>", split = ",",
            description = "The cluster link(s): the mirror's link for --create; a filter for --list and --describe; "
                    + "all of its mirrors for the actions.")
    List<String> links = new ArrayList<>();

    @Option(names = "--topics", paramLabel = "<topic>", split = ",", description = "Mirror topics, comma-separated.")
    List<String> topics = new ArrayList<>();

    @Option(names = "--topics-pattern", paramLabel = "<regex>",
            description = "Mirror topics whose whole name matches this regular expression.")
    String topicsPattern;

    @Option(names = "--replication-factor", paramLabel = "<n>",
            description = "With --create: the mirror topic's replication factor.")
    Integer replicationFactor;

    @Option(names = "--config", paramLabel = "<name=value>", split = ",(?=[^,=]+=)", splitSynopsisLabel = ",",
            description = "With --create: topic configs of the mirror topic, comma-separated.")
    List<String> configs = new ArrayList<>();

    @Option(names = "--config-file", paramLabel = "<file>",
            description = "With --create: properties file with topic configs of the mirror topic.")
    Path configFile;

    @Option(names = "--pending-stopped-only",
            description = "With --describe and --list: only mirrors still stopping (PENDING_STOPPED).")
    boolean pendingStoppedOnly;

    @Option(names = "--include-state-transition-errors",
            description = "With --describe: the mirrors' state transition errors too.")
    boolean includeStateTransitionErrors;

    @Option(names = "--validate-only", description = "With the actions: only validate them, change nothing.")
    boolean validateOnly;

    @Option(names = { "--include-partitions", "--include-partition-data" },
            description = "With --truncate-and-restore: the records set aside per partition too.")
    boolean includePartitions;

    private final Map<String, String> env;

    public KafkaMirrors() {
        this(Cli.environment());
    }

    public KafkaMirrors(Map<String, String> env) {
        this.env = env;
    }

    public static void main(String[] args) {
        System.exit(Cli.main(new KafkaMirrors(), args));
    }

    @Override
    public String errorPrefix() {
        return "Error while executing mirror command: ";
    }

    @Override
    public Integer call() {
        checkFlags();
        Connection.Target target = connection.open(env);
        if (action.create) {
            create(target);
            return 0;
        }
        if (action.describe || action.list) {
            show(target);
            return 0;
        }
        if (action.truncateAndRestore) {
            return truncateAndRestore(target);
        }
        return act(target);
    }

    private void checkFlags() {
        if (action.create) {
            if (mirrorTopic == null || links.size() != 1) {
                throw new ParameterException(spec.commandLine(), mirrorTopic == null
                        ? "Missing required option '--mirror-topic' for --create"
                        : "--create needs exactly one --link");
            }
        } else if (action.truncateAndRestore) {
            if (mirrorTopic != null) {
                topics.add(mirrorTopic);
            }
            if (topics.isEmpty() || links.size() != 1) {
                throw new ParameterException(spec.commandLine(),
                        "--truncate-and-restore needs --topics and exactly one --link");
            }
            if (topicsPattern != null) {
                throw new ParameterException(spec.commandLine(), "Cannot specify both --topics and --topics-pattern.");
            }
        } else if (!action.describe && !action.list) {
            if (mirrorTopic != null) {
                topics.add(mirrorTopic);
            }
            if (!topics.isEmpty() && !links.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "Cannot specify both --topics and --link.");
            }
            if (topics.isEmpty() && links.isEmpty() && topicsPattern == null) {
                throw new ParameterException(spec.commandLine(),
                        "Missing the mirror topics: give --topics, --topics-pattern or --link");
            }
            if (!topics.isEmpty() && topicsPattern != null) {
                throw new ParameterException(spec.commandLine(), "Cannot specify both --topics and --topics-pattern.");
            }
        }
    }

    private void create(Connection.Target target) {
        ObjectNode body = ServiceClient.JSON.createObjectNode();
        String source = sourceTopic == null ? mirrorTopic : sourceTopic;
        body.put("source_topic_name", source);
        if (!source.equals(mirrorTopic)) {
            body.put("mirror_topic_name", mirrorTopic);
        }
        if (replicationFactor != null) {
            body.put("replication_factor", replicationFactor);
        }
        Map<String, String> topicConfigs = new LinkedHashMap<>();
        if (configFile != null) {
            Properties file = Connection.load(configFile, "--config-file");
            file.stringPropertyNames().stream().sorted().forEach(n -> topicConfigs.put(n, file.getProperty(n)));
        }
        for (String config : configs) {
            int eq = config.indexOf('=');
            if (eq <= 0) {
                throw new ParameterException(spec.commandLine(),
                        "Invalid --config '" + config + "': expected name=value");
            }
            topicConfigs.put(config.substring(0, eq).trim(), config.substring(eq + 1));
        }
        if (!topicConfigs.isEmpty()) {
            ArrayNode items = body.putArray("configs");
            topicConfigs.forEach((n, v) -> items.addObject().put("name", n).put("value", v));
        }
        target.client().post(target.linkPath(links.get(0)) + "/mirrors", Map.of(), body);
        out().println("Created topic " + mirrorTopic + ".");
    }

    /** The mirrors of the given links (or of all), by link, in name order. */
    private List<JsonNode> mirrors(Connection.Target target, List<String> ofLinks) {
        List<JsonNode> mirrors = new ArrayList<>();
        if (ofLinks.isEmpty()) {
            target.client().get(target.linkPath("-") + "/mirrors", Map.of()).path("data").forEach(mirrors::add);
        } else {
            for (String link : ofLinks) {
                target.client().get(target.linkPath(link) + "/mirrors", Map.of()).path("data").forEach(mirrors::add);
            }
        }
        mirrors.sort((a, b) -> (text(a, "mirror_topic_name") + "\0" + text(a, "link_name"))
                .compareTo(text(b, "mirror_topic_name") + "\0" + text(b, "link_name")));
        return mirrors;
    }

    private void show(Connection.Target target) {
        List<String> wanted = new ArrayList<>(topics);
        if (mirrorTopic != null) {
            wanted.add(mirrorTopic);
        }
        Pattern pattern = pattern();
        List<JsonNode> shown = mirrors(target, links).stream()
                .filter(m -> wanted.isEmpty() || wanted.contains(text(m, "mirror_topic_name")))
                .filter(m -> pattern == null || pattern.matcher(text(m, "mirror_topic_name")).matches())
                .filter(m -> !pendingStoppedOnly || "PENDING_STOPPED".equals(text(m, "mirror_status")))
                .toList();
        if (action.list) {
            shown.forEach(m -> out().println(text(m, "mirror_topic_name")));
            return;
        }
        if (shown.isEmpty()) {
            out().println("No mirror topics found.");
            return;
        }
        Map<String, String> linkIds = new HashMap<>();
        for (JsonNode m : shown) {
            String link = text(m, "link_name");
            String linkId = linkIds.computeIfAbsent(link,
                    l -> text(target.client().get(target.linkPath(l), Map.of()), "cluster_link_id"));
            JsonNode mirror = includeStateTransitionErrors
                    ? target.client().get(target.linkPath(link) + "/mirrors/"
                            + ServiceClient.segment(text(m, "mirror_topic_name")),
                            Map.of("include_state_transition_errors", true))
                    : m;
            describe(mirror, linkId);
        }
    }

    /** Confluent Platform's layout: a line per mirror topic, then a tab-indented line per partition. */
    private void describe(JsonNode m, String linkId) {
        String state = text(m, "mirror_status");
        StringBuilder line = new StringBuilder().append("Topic: ").append(text(m, "mirror_topic_name"))
                .append("\tLinkName: ").append(text(m, "link_name"))
                .append("\tLinkId: ").append(linkId)
                .append("\tSourceTopic: ").append(text(m, "source_topic_name"))
                .append("\tState: ").append(state)
                .append("\tStateTime: ")
                .append(STATE_TIME.format(Instant.ofEpochMilli(m.path("state_time_ms").asLong())));
        String error = text(m, "mirror_topic_error");
        if (!error.isEmpty() && !"NO_ERROR".equals(error)) {
            line.append("\tMirrorTopicError: ").append(error);
        }
        if (m.hasNonNull("mirror_status_message")) {
            line.append("\tStatusMessage: ").append(ServiceClient.oneLine(m.get("mirror_status_message").asText()));
        }
        out().println(line);
        for (JsonNode lag : m.path("mirror_lags")) {
            out().println("\tPartition: " + lag.path("partition").asInt() + "\tState: " + state
                    + "\tLastFetchSourceHighWatermark: " + lag.path("last_source_fetch_offset").asLong()
                    + "\tLag: " + lag.path("lag").asLong());
        }
        for (JsonNode e : m.path("mirror_state_transition_errors")) {
            out().println("\tStateTransitionError: " + text(e, "error_code") + ": "
                    + ServiceClient.oneLine(text(e, "error_message")));
        }
    }

    private Pattern pattern() {
        if (topicsPattern == null) {
            return null;
        }
        try {
            return Pattern.compile(topicsPattern);
        } catch (PatternSyntaxException e) {
            throw new ParameterException(spec.commandLine(),
                    "Invalid --topics-pattern: " + ServiceClient.oneLine(e.getDescription()));
        }
    }

    /** Promote, failover, pause, unpause or reverse: the topics by link, one request per link, a line per topic. */
    private int act(Connection.Target target) {
        Verb verb = verb();
        Map<String, List<String>> byLink = new TreeMap<>();
        if (!topics.isEmpty()) {
            Map<String, String> linkOf = new HashMap<>();
            mirrors(target, List.of())
                    .forEach(m -> linkOf.putIfAbsent(text(m, "mirror_topic_name"), text(m, "link_name")));
            for (String topic : topics) {
                String link = linkOf.get(topic);
                if (link == null) {
                    throw new CliException("Topic '" + topic + "' is not a mirror topic on cluster "
                            + target.clusterId());
                }
                byLink.computeIfAbsent(link, l -> new ArrayList<>()).add(topic);
            }
        } else {
            Pattern pattern = pattern();
            for (JsonNode m : mirrors(target, links)) {
                String topic = text(m, "mirror_topic_name");
                if ((pattern == null || pattern.matcher(topic).matches())
                        && !"STOPPED".equals(text(m, "mirror_status"))) {
                    byLink.computeIfAbsent(text(m, "link_name"), l -> new ArrayList<>()).add(topic);
                }
            }
            if (byLink.isEmpty()) {
                out().println("No mirror topics found.");
                return 0;
            }
        }
        List<String> all = byLink.values().stream().flatMap(List::stream).toList();
        if (action.promote) {
            out().println("Calculating max offset and ms lag for mirror topics: " + all);
        }
        List<JsonNode> results = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : byLink.entrySet()) {
            ObjectNode body = ServiceClient.JSON.createObjectNode();
            ArrayNode names = body.putArray("mirror_topic_names");
            e.getValue().forEach(names::add);
            JsonNode answer = target.client().post(target.linkPath(e.getKey()) + "/mirrors:" + verb.path,
                    validateOnly ? Map.of("validate_only", true) : Map.of(), body);
            answer.path("data").forEach(results::add);
        }
        if (action.promote) {
            out().println("Finished calculating max offset lag and max lag ms for mirror topics: " + all);
        }
        int code = 0;
        for (JsonNode result : results) {
            String topic = text(result, "mirror_topic_name");
            if (failed(result)) {
                err().println("Error encountered while " + verb.request.formatted(topic) + ": "
                        + ServiceClient.oneLine(text(result, "error_message")));
                code = Cli.FAILED;
            } else {
                out().println(scheduled(verb, topic));
            }
        }
        return code;
    }

    private Verb verb() {
        if (action.promote) {
            return Verb.PROMOTE;
        }
        if (action.failover) {
            return Verb.FAILOVER;
        }
        if (action.pause) {
            return Verb.PAUSE;
        }
        if (action.unpause) {
            return Verb.RESUME;
        }
        return action.reverseAndStart ? Verb.REVERSE_AND_START : Verb.REVERSE_AND_PAUSE;
    }

    private String scheduled(Verb verb, String topic) {
        String request = "Request for " + verb.request.formatted(topic) + " was successfully ";
        if (validateOnly) {
            return request + "validated.";
        }
        if (verb == Verb.PROMOTE || verb == Verb.FAILOVER) {
            return request + "scheduled. Please use the describe command with the --pending-stopped-only option to "
                    + "monitor progress.";
        }
        return request + "scheduled.";
    }

    private static boolean failed(JsonNode result) {
        return result.hasNonNull("error_code") || result.hasNonNull("error_message");
    }

    /**
     * Truncate-and-restore as Confluent's tool runs it: on the old source cluster (this one, A), naming its
     * topics and its link to the new source (B). The service restores from the stopped mirrors of those
     * topics on B, on the link of the same name there, so the request goes to B; its lines name A's topics.
     */
    private int truncateAndRestore(Connection.Target target) {
        String link = links.get(0);
        String source = text(target.client().get(target.linkPath(link), Map.of()), "source_cluster_id");
        if (source.isEmpty()) {
            throw new CliException("Cluster link '" + link + "' on cluster " + target.clusterId() + " does not "
                    + "know its source cluster's id: truncate-and-restore needs the cluster it mirrors from");
        }
        Connection.Target primary = new Connection.Target(target.client(), source);
        List<String> managed = new ArrayList<>();
        target.client().get("/kafka/v3/clusters", Map.of()).path("data")
                .forEach(c -> managed.add(text(c, "cluster_id")));
        if (!managed.contains(source)) {
            throw new CliException("The source cluster " + source + " of cluster link '" + link + "' on cluster "
                    + target.clusterId() + " is not a destination cluster of the clusterlink service: "
                    + "truncate-and-restore needs the stopped mirrors there");
        }
        List<String> remoteLinks = new ArrayList<>();
        primary.client().get(primary.clusterPath() + "/links", Map.of()).path("data")
                .forEach(l -> remoteLinks.add(text(l, "link_name")));
        if (!remoteLinks.contains(link)) {
            throw new CliException("Cluster " + source + ", the source of cluster link '" + link + "' on cluster "
                    + target.clusterId() + ", has no cluster link '" + link + "' whose stopped mirrors "
                    + "truncate-and-restore restores from");
        }
        Map<String, String> mirrorOf = new HashMap<>();
        primary.client().get(primary.linkPath(link) + "/mirrors", Map.of()).path("data")
                .forEach(m -> mirrorOf.putIfAbsent(text(m, "source_topic_name"), text(m, "mirror_topic_name")));
        ObjectNode body = ServiceClient.JSON.createObjectNode();
        ArrayNode names = body.putArray("mirror_topic_names");
        topics.stream().map(mirrorOf::get).filter(n -> n != null).distinct().forEach(names::add);
        Map<String, JsonNode> results = new HashMap<>();
        if (!names.isEmpty()) {
            Map<String, Object> query = new LinkedHashMap<>();
            query.put("validate_only", validateOnly ? true : null);
            query.put("include_partition_level_truncation_data", includePartitions ? true : null);
            primary.client().post(primary.linkPath(link) + "/mirrors:truncate-and-restore", query, body).path("data")
                    .forEach(r -> results.put(text(r, "mirror_topic_name"), r));
        }
        int code = 0;
        for (String topic : topics) {
            JsonNode result = results.get(mirrorOf.get(topic));
            if (result == null || failed(result)) {
                String why = result == null ? "Topic '" + topic + "' on cluster " + target.clusterId()
                        + " is not the source of a mirror topic of cluster link '" + link + "' on cluster " + source
                        + " (truncate-and-restore runs on the old source cluster, with its link to the new one)"
                        : text(result, "error_message");
                err().println("Error encountered while truncating and restoring topic " + topic + ": "
                        + ServiceClient.oneLine(why));
                code = Cli.FAILED;
                continue;
            }
            out().println("Request for truncate and restore for topic " + topic + " was successfully "
                    + (validateOnly ? "validated" : "scheduled") + ". " + result.path("messages_truncated").asLong()
                    + " messages will be truncated.");
            if (includePartitions) {
                for (JsonNode p : result.path("partition_level_truncation_data")) {
                    out().println("\tPartition: " + p.path("partition_id").asInt() + "\tMessagesTruncated: "
                            + p.path("messages_truncated").asLong() + "\tOffsetTruncatedTo: "
                            + p.path("offset_truncated_to").asLong());
                }
            }
        }
        return code;
    }

    static String text(JsonNode node, String field) {
        return KafkaClusterLinks.text(node, field);
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }

    private PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
