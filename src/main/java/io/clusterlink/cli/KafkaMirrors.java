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
 * {@code kafka-mirrors}: creates, lists and describes mirror topics and promotes, fails over, pauses and
 * resumes them, with the flags and words of Confluent Platform's tool, through clusterlink's REST API.
 */
@Command(name = "kafka-mirrors", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        version = "clusterlink kafka-mirrors",
        description = "Create, list, describe, promote, fail over, pause and resume mirror topics on a destination "
                + "cluster of the clusterlink service.")
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
        return act(target);
    }

    private void checkFlags() {
        if (action.create) {
            if (mirrorTopic == null || links.size() != 1) {
                throw new ParameterException(spec.commandLine(), mirrorTopic == null
                        ? "Missing required option '--mirror-topic' for --create"
                        : "--create needs exactly one --link");
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

    /** Promote, failover, pause or unpause: the topics by link, one request per link, a line per topic. */
    private int act(Connection.Target target) {
        String verb = action.promote ? "promote" : action.failover ? "failover" : action.pause ? "pause" : "resume";
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
            JsonNode answer = target.client().post(target.linkPath(e.getKey()) + "/mirrors:" + verb,
                    validateOnly ? Map.of("validate_only", true) : Map.of(), body);
            answer.path("data").forEach(results::add);
        }
        if (action.promote) {
            out().println("Finished calculating max offset lag and max lag ms for mirror topics: " + all);
        }
        int code = 0;
        for (JsonNode result : results) {
            String topic = text(result, "mirror_topic_name");
            if (result.hasNonNull("error_code") || result.hasNonNull("error_message")) {
                err().println("Error encountered while " + gerund() + " topic " + topic + "'s mirror: "
                        + ServiceClient.oneLine(text(result, "error_message")));
                code = Cli.FAILED;
            } else {
                out().println(scheduled(topic));
            }
        }
        return code;
    }

    private String gerund() {
        return action.promote || action.failover ? "stopping" : action.pause ? "pausing" : "unpausing";
    }

    private String scheduled(String topic) {
        if (validateOnly) {
            return "Request for " + gerund() + " topic " + topic + "'s mirror was successfully validated.";
        }
        if (action.promote || action.failover) {
            return "Request for stopping topic " + topic + "'s mirror was successfully scheduled. Please use the "
                    + "describe command with the --pending-stopped-only option to monitor progress.";
        }
        return "Request for " + gerund() + " topic " + topic + "'s mirror was successfully scheduled.";
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
