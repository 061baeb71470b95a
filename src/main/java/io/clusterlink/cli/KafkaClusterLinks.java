package io.clusterlink.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.core.JsonProcessingException;
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
 * {@code kafka-cluster-links}: creates, lists, describes and deletes the cluster links of a destination
 * cluster, with the flags and words of Confluent Platform's tool, through clusterlink's REST API.
 */
@Command(name = "kafka-cluster-links", mixinStandardHelpOptions = true, sortOptions = false,
        usageHelpAutoWidth = true, version = "clusterlink kafka-cluster-links",
        description = "Create, list, describe and delete cluster links on a destination cluster of the clusterlink "
                + "service.")
public class KafkaClusterLinks implements Callable<Integer>, Cli.Tool {

    static final String TOPIC_FILTERS = "auto.create.mirror.topics.filters";
    static final String GROUP_FILTERS = "consumer.offset.group.filters";
    static final String ACL_FILTERS = "acl.filters";

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Action action;

    static class Action {
        @Option(names = "--create", description = "Create a cluster link (needs --link).")
        boolean create;
        @Option(names = "--list", description = "List the cluster links (--link: only that one).")
        boolean list;
        @Option(names = "--describe", description = "Describe the cluster links (--link: only that one).")
        boolean describe;
        @Option(names = "--delete", description = "Delete a cluster link (needs --link).")
        boolean delete;
    }

    @Mixin
    Connection connection;

    @Option(names = { "--link", "--link-name" }, paramLabel = "<name>", description = "The cluster link's name.")
    String link;

    @Option(names = "--config-file", paramLabel = "<file>",
            description = "Properties file with the link's configs: the source's bootstrap.servers and client "
                    + "security configs, and link configs such as consumer.offset.sync.enable.")
    Path configFile;

    @Option(names = "--config", paramLabel = "<name=value>", split = ",(?=[^,=]+=)", splitSynopsisLabel = ",",
            description = "Link configs, comma-separated (after those of --config-file).")
    List<String> configs = new ArrayList<>();

    @Option(names = "--cluster-id", paramLabel = "<id>",
            description = "The source cluster's id, checked by the service when it validates the link.")
    String sourceClusterId;

    @Option(names = "--topic-filters-json-file", paramLabel = "<file>",
            description = "JSON file {\"topicFilters\":[...]}: " + TOPIC_FILTERS + ".")
    Path topicFiltersFile;

    @Option(names = "--topic-filters-json", paramLabel = "<json>", description = "The same, inline.")
    String topicFilters;

    @Option(names = "--consumer-group-filters-json-file", paramLabel = "<file>",
            description = "JSON file {\"groupFilters\":[...]}: " + GROUP_FILTERS + ".")
    Path groupFiltersFile;

    @Option(names = "--consumer-group-filters-json", paramLabel = "<json>", description = "The same, inline.")
    String groupFilters;

    @Option(names = "--acl-filters-json-file", paramLabel = "<file>",
            description = "JSON file {\"aclFilters\":[...]}: " + ACL_FILTERS + ".")
    Path aclFiltersFile;

    @Option(names = "--acl-filters-json", paramLabel = "<json>", description = "The same, inline.")
    String aclFilters;

    @Option(names = "--validate-only", description = "Only validate the creation or deletion, change nothing.")
    boolean validateOnly;

    @Option(names = "--exclude-validate-link",
            description = "Create the link without checking that its source answers.")
    boolean excludeValidateLink;

    @Option(names = "--force", description = "Delete the link even if mirror topics are not stopped (fails them"
            + " over first).")
    boolean force;

    @Option(names = "--include-topics", description = "With --list and --describe: the link's mirror topics too.")
    boolean includeTopics;

    private final Map<String, String> env;

    public KafkaClusterLinks() {
        this(Cli.environment());
    }

    public KafkaClusterLinks(Map<String, String> env) {
        this.env = env;
    }

    public static void main(String[] args) {
        System.exit(Cli.main(new KafkaClusterLinks(), args));
    }

    @Override
    public String errorPrefix() {
        return "Error while executing cluster link command: ";
    }

    @Override
    public Integer call() {
        if ((action.create || action.delete) && link == null) {
            throw new ParameterException(spec.commandLine(), "Missing required option '--link' for "
                    + (action.create ? "--create" : "--delete"));
        }
        Map<String, String> linkConfigs = action.create ? linkConfigs() : Map.of();
        Connection.Target target = connection.open(env);
        if (action.create) {
            create(target, linkConfigs);
        } else if (action.delete) {
            delete(target);
        } else {
            show(target, action.describe);
        }
        return 0;
    }

    /** The --config-file entries, then --config, then the filter files as their link configs. */
    private Map<String, String> linkConfigs() {
        Map<String, String> result = new LinkedHashMap<>();
        if (configFile != null) {
            Properties file = Connection.load(configFile, "--config-file");
            for (String name : file.stringPropertyNames().stream().sorted().toList()) {
                result.put(name, file.getProperty(name));
            }
        }
        for (String config : configs) {
            int eq = config.indexOf('=');
            if (eq <= 0) {
                throw new ParameterException(spec.commandLine(),
                        "Invalid --config '" + config + "': expected name=value");
            }
            result.put(config.substring(0, eq).trim(), config.substring(eq + 1));
        }
        putFilter(result, TOPIC_FILTERS, "--topic-filters-json", topicFilters, topicFiltersFile);
        putFilter(result, GROUP_FILTERS, "--consumer-group-filters-json", groupFilters, groupFiltersFile);
        putFilter(result, ACL_FILTERS, "--acl-filters-json", aclFilters, aclFiltersFile);
        return result;
    }

    private void putFilter(Map<String, String> configs, String name, String flag, String inline, Path file) {
        if (inline != null && file != null) {
            throw new ParameterException(spec.commandLine(), "Give " + flag + " or " + flag + "-file, not both");
        }
        String json = file != null ? Connection.read(file, flag + "-file") : inline;
        if (json == null) {
            return;
        }
        try {
            // compact, as one config value; the service checks the filters themselves
            configs.put(name, ServiceClient.JSON.readTree(json).toString());
        } catch (JsonProcessingException e) {
            throw new CliException("The " + (file != null ? flag + "-file " + file : flag) + " is not JSON: "
                    + e.getOriginalMessage());
        }
    }

    private void create(Connection.Target target, Map<String, String> linkConfigs) {
        ObjectNode body = ServiceClient.JSON.createObjectNode();
        if (sourceClusterId != null) {
            body.put("source_cluster_id", sourceClusterId);
        }
        ArrayNode items = body.putArray("configs");
        linkConfigs.forEach((name, value) -> items.addObject().put("name", name).put("value", value));
        Map<String, Object> query = new LinkedHashMap<>();
        query.put("link_name", link);
        query.put("validate_only", validateOnly ? true : null);
        query.put("validate_link", excludeValidateLink ? false : null);
        target.client().post(target.clusterPath() + "/links", query, body);
        out().println("Cluster link '" + link + "' creation " + (validateOnly ? "validation " : "")
                + "successfully completed.");
    }

    private void delete(Connection.Target target) {
        Map<String, Object> query = new LinkedHashMap<>();
        query.put("force", force ? true : null);
        query.put("validate_only", validateOnly ? true : null);
        target.client().delete(target.linkPath(link), query);
        out().println("Cluster link '" + link + "' deletion " + (validateOnly ? "validation " : "")
                + "successfully completed.");
    }

    private void show(Connection.Target target, boolean describe) {
        List<JsonNode> links = new ArrayList<>();
        if (link != null) {
            links.add(target.client().get(target.linkPath(link), describe ? Map.of("include_tasks", true) : Map.of()));
        } else {
            target.client().get(target.clusterPath() + "/links", Map.of()).path("data").forEach(links::add);
            if (describe) {
                links.replaceAll(l -> target.client().get(target.linkPath(l.path("link_name").asText()),
                        Map.of("include_tasks", true)));
            }
        }
        if (links.isEmpty()) {
            out().println("No cluster links found.");
            return;
        }
        for (JsonNode l : links) {
            out().println(summary(target, l));
            if (describe) {
                details(target, l);
            }
        }
    }

    /** Confluent Platform's list line: name, id, remote and local cluster ids, availability, state. */
    private String summary(Connection.Target target, JsonNode l) {
        String state = text(l, "link_state");
        StringBuilder line = new StringBuilder().append("Link name: '").append(text(l, "link_name"))
                .append("', link ID: '").append(text(l, "cluster_link_id"))
                .append("', remote cluster ID: '").append(text(l, "source_cluster_id"))
                .append("', local cluster ID: '").append(target.clusterId())
                .append("', remote cluster available: '").append(!"UNAVAILABLE".equals(state))
                .append("', link state: '").append(state).append("'");
        if (includeTopics) {
            List<String> topics = new ArrayList<>();
            l.path("topic_names").forEach(t -> topics.add(t.asText()));
            line.append(", topics: ").append(topics);
        }
        return line.toString();
    }

    private void details(Connection.Target target, JsonNode l) {
        String error = text(l, "link_error");
        if (!error.isEmpty() && !"NO_ERROR".equals(error)) {
            out().println("  Link error: " + error + (l.hasNonNull("link_error_message")
                    ? ": " + ServiceClient.oneLine(l.get("link_error_message").asText()) : ""));
        }
        // the Confluent CLI's "Mirror Partition States Count": the link's mirror partitions by state category
        List<String> counts = new ArrayList<>();
        l.path("category_counts").forEach(c -> counts.add(text(c, "state_category") + ": " + c.path("count").asInt()));
        if (!counts.isEmpty()) {
            out().println("  Mirror Partition States Count: " + String.join(", ", counts));
        }
        for (JsonNode task : l.path("tasks")) {
            StringBuilder line = new StringBuilder("  Task: ").append(text(task, "task_name"))
                    .append("  State: ").append(text(task, "state"));
            List<String> errors = new ArrayList<>();
            task.path("errors").forEach(e -> errors.add(text(e, "error_code") + ": \""
                    + ServiceClient.oneLine(text(e, "error_message")) + "\""));
            if (!errors.isEmpty()) {
                line.append("  Errors: ").append(String.join(", ", errors));
            }
            out().println(line);
        }
        JsonNode configs = target.client().get(target.linkPath(text(l, "link_name")) + "/configs", Map.of());
        for (JsonNode config : configs.path("data")) {
            if (config.path("is_default").asBoolean(false)) {
                continue;
            }
            String value = config.path("is_sensitive").asBoolean(false) ? "<sensitive>"
                    : config.hasNonNull("value") ? config.get("value").asText() : "";
            out().println("  Config: " + text(config, "name") + "=" + value);
        }
    }

    static String text(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asText() : "";
    }

    private java.io.PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
