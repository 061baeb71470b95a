package io.clusterlink.link;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.JaasContext;
import org.apache.kafka.common.security.ssl.DefaultSslEngineFactory;

/**
 * The link config table: every name a link accepts, its default, whether it is sensitive or fixed
 * after creation, and how its value is checked. Names and defaults follow Confluent Cluster Linking.
 * Source client configs ({@code bootstrap.servers}, {@code security.protocol}, {@code sasl.*},
 * {@code ssl.*}) are checked against the Kafka client's own config definitions.
 */
public final class LinkConfigs {

    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String AUTO_CREATE_ENABLE = "auto.create.mirror.topics.enable";
    public static final String AUTO_CREATE_FILTERS = "auto.create.mirror.topics.filters";
    public static final String OFFSET_SYNC_ENABLE = "consumer.offset.sync.enable";
    public static final String OFFSET_GROUP_FILTERS = "consumer.offset.group.filters";
    public static final String OFFSET_SYNC_MS = "consumer.offset.sync.ms";
    public static final String GROUP_PREFIX_ENABLE = "consumer.group.prefix.enable";
    public static final String ACL_SYNC_ENABLE = "acl.sync.enable";
    public static final String ACL_FILTERS = "acl.filters";
    public static final String ACL_SYNC_MS = "acl.sync.ms";
    public static final String TOPIC_CONFIG_SYNC_MS = "topic.config.sync.ms";
    public static final String TOPIC_CONFIG_SYNC_INCLUDE = "topic.config.sync.include";
    public static final String PREFIX = "cluster.link.prefix";
    public static final String START_OFFSET_SPEC = "mirror.start.offset.spec";
    public static final String PAUSED = "cluster.link.paused";
    public static final String AVAILABILITY_CHECK_MS = "availability.check.ms";
    public static final String AVAILABILITY_THRESHOLD = "availability.check.consecutive.failure.threshold";
    public static final String FETCHERS = "num.cluster.link.fetchers";
    /** The link's bound on replication bytes per second (Confluent's broker-wide setting, per link here). */
    public static final String IO_MAX_BYTES = "cluster.link.io.max.bytes.per.second";
    public static final String LINK_MODE = "link.mode";
    public static final String CONNECTION_MODE = "connection.mode";

    private static final ConfigDef CLIENT_DEFS = AdminClientConfig.configDef();
    /** Cluster Linking's limit for {@code cluster.link.prefix}. */
    private static final int MAX_PREFIX_LENGTH = 12;
    /** Unknown names listed in one error message. */
    private static final int MAX_NAMES_SHOWN = 10;

    /** How one behaviour config is checked; throws IllegalArgumentException with the reason. */
    @FunctionalInterface
    interface Check extends Consumer<String> {
    }

    /** One row of the table. */
    public record Definition(String name, String defaultValue, boolean readOnly, boolean fixedAfterCreate,
            String clientProperty, Check check) {
    }

    private static final Map<String, Definition> BEHAVIOUR = new LinkedHashMap<>();

    static {
        add(AUTO_CREATE_ENABLE, "false", bool());
        add(AUTO_CREATE_FILTERS, "", json(v -> NameFilters.parse(v, NameFilters.TOPIC_FILTERS)));
        add(OFFSET_SYNC_ENABLE, "false", bool());
        add(OFFSET_GROUP_FILTERS, "", json(v -> NameFilters.parse(v, NameFilters.GROUP_FILTERS)));
        add(OFFSET_SYNC_MS, "30000", longAtLeast(1000));
        add(GROUP_PREFIX_ENABLE, "false", bool());
        add(ACL_SYNC_ENABLE, "false", bool());
        add(ACL_FILTERS, "", json(AclFilters::parse));
        add(ACL_SYNC_MS, "5000", longAtLeast(1000));
        add(TOPIC_CONFIG_SYNC_MS, "5000", longAtLeast(1000));
        add(TOPIC_CONFIG_SYNC_INCLUDE, "", TopicConfigPolicy::parse);
        BEHAVIOUR.put(PREFIX, new Definition(PREFIX, null, false, true, null, LinkConfigs::checkPrefix));
        add(START_OFFSET_SPEC, "earliest", StartOffsetSpec::parse);
        add(PAUSED, "false", bool());
        add(AVAILABILITY_CHECK_MS, "60000", longAtLeast(1000));
        add(AVAILABILITY_THRESHOLD, "5", intBetween(1, 1000));
        // Copy threads of the link. Cluster Linking's broker fetchers default to 1; two copy threads
        // let the consumer's parsing and the producer's batching use two cores.
        add(FETCHERS, "2", intBetween(1, 16));
        add(IO_MAX_BYTES, Long.toString(Long.MAX_VALUE), longAtLeast(1024));
        add("cluster.link.retry.timeout.ms", "300000", longAtLeast(0));
        // BIDIRECTIONAL names one of a pair of links, each on the other's source cluster (see the
        // reverse actions); a link reverses onto its pair whatever its mode, so it changes nothing.
        BEHAVIOUR.put(LINK_MODE, new Definition(LINK_MODE, "DESTINATION", false, true, null,
                oneOf("DESTINATION", "BIDIRECTIONAL")));
        BEHAVIOUR.put(CONNECTION_MODE, new Definition(CONNECTION_MODE, "OUTBOUND", false, true, null,
                oneOf("OUTBOUND")));
        // Fetch tuning: Cluster Linking names, applied to the source consumer.
        tuning("replica.fetch.max.bytes", "5242880", "max.partition.fetch.bytes", intBetween(1024, Integer.MAX_VALUE));
        tuning("replica.fetch.response.max.bytes", "10485760", "fetch.max.bytes", intBetween(1024, Integer.MAX_VALUE));
        tuning("replica.fetch.min.bytes", "1", "fetch.min.bytes", intBetween(1, Integer.MAX_VALUE));
        tuning("replica.fetch.wait.max.ms", "500", "fetch.max.wait.ms", intBetween(0, 60_000));
        tuning("replica.fetch.backoff.ms", "1000", "retry.backoff.max.ms", longAtLeast(0));
        tuning("replica.socket.receive.buffer.bytes", "-1", "receive.buffer.bytes", intBetween(-1, Integer.MAX_VALUE));
        tuning("request.timeout.ms", "30000", "request.timeout.ms", intBetween(1000, Integer.MAX_VALUE));
        tuning("connections.max.idle.ms", "600000", "connections.max.idle.ms", longAtLeast(-1));
        tuning("metadata.max.age.ms", "300000", "metadata.max.age.ms", longAtLeast(1000));
        tuning("retry.backoff.ms", "100", "retry.backoff.ms", longAtLeast(0));
        tuning("socket.connection.setup.timeout.ms", "10000", "socket.connection.setup.timeout.ms", longAtLeast(100));
        tuning("socket.connection.setup.timeout.max.ms", "30000", "socket.connection.setup.timeout.max.ms",
                longAtLeast(100));
        tuning("client.dns.lookup", "use_all_dns_ips", "client.dns.lookup",
                oneOf("use_all_dns_ips", "resolve_canonical_bootstrap_servers_only"));
    }

    private LinkConfigs() {
    }

    /** Every behaviour config with its default. */
    public static Map<String, Definition> behaviour() {
        return Collections.unmodifiableMap(BEHAVIOUR);
    }

    /** Source client configs accepted on a link: connection and security settings only. */
    public static boolean isClientConfig(String name) {
        return name.equals(BOOTSTRAP_SERVERS) || name.equals(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG)
                || ((name.startsWith("sasl.") || name.startsWith("ssl."))
                        && CLIENT_DEFS.configKeys().containsKey(name));
    }

    public static boolean isKnown(String name) {
        return BEHAVIOUR.containsKey(name) || isClientConfig(name);
    }

    /** Passwords, keys, certificates and JAAS configs: encrypted at rest, never shown. */
    public static boolean isSensitive(String name) {
        ConfigDef.ConfigKey key = CLIENT_DEFS.configKeys().get(name);
        return isClientConfig(name) && key != null && key.type == ConfigDef.Type.PASSWORD;
    }

    /**
     * Checks a complete config set for a new link and returns it with names sorted. Unknown names,
     * bad values and contradictory settings are reported together, each by name.
     */
    public static Map<String, String> validate(Map<String, String> configs) {
        List<String> problems = new ArrayList<>();
        Set<String> unknown = new TreeSet<>();
        Map<String, String> result = new TreeMap<>();
        configs.forEach((name, value) -> {
            if (!isKnown(name)) {
                unknown.add(TopicNames.printable(name));
                return;
            }
            if (value == null) {
                problems.add("Link config '" + name + "' has no value");
                return;
            }
            Definition def = BEHAVIOUR.get(name);
            if (def != null) {
                try {
                    def.check().accept(value);
                } catch (IllegalArgumentException e) {
                    problems.add("Invalid value '" + TopicNames.printable(value) + "' for link config '" + name + "': "
                            + e.getMessage());
                    return;
                }
            }
            result.put(name, value);
        });
        if (!unknown.isEmpty()) {
            List<String> shown = unknown.stream().limit(MAX_NAMES_SHOWN).toList();
            problems.add(0, "Unknown link config" + (unknown.size() > 1 ? "s" : "") + ": " + String.join(", ", shown)
                    + (unknown.size() > shown.size() ? " and " + (unknown.size() - shown.size()) + " more" : ""));
        }
        if (problems.isEmpty()) {
            problems.addAll(crossChecks(result));
        }
        if (!problems.isEmpty()) {
            throw new ClusterLinkException.InvalidRequest(String.join("; ", problems));
        }
        return result;
    }

    private static List<String> crossChecks(Map<String, String> configs) {
        List<String> problems = new ArrayList<>();
        String bootstrap = configs.get(BOOTSTRAP_SERVERS);
        if (bootstrap == null || bootstrap.isBlank()) {
            problems.add("Link config '" + BOOTSTRAP_SERVERS + "' is required");
        }
        requireFilter(configs, AUTO_CREATE_ENABLE, AUTO_CREATE_FILTERS, problems);
        requireFilter(configs, OFFSET_SYNC_ENABLE, OFFSET_GROUP_FILTERS, problems);
        requireFilter(configs, ACL_SYNC_ENABLE, ACL_FILTERS, problems);
        if (configs.containsKey(PREFIX) && Boolean.parseBoolean(configs.get(ACL_SYNC_ENABLE))) {
            problems.add("'" + PREFIX + "' and '" + ACL_SYNC_ENABLE + "=true' cannot be used together on one link");
        }
        if (Boolean.parseBoolean(configs.get(GROUP_PREFIX_ENABLE)) && !configs.containsKey(PREFIX)) {
            problems.add("'" + GROUP_PREFIX_ENABLE + "=true' needs '" + PREFIX + "'");
        }
        Map<String, Object> client = new TreeMap<>();
        configs.forEach((k, v) -> {
            if (isClientConfig(k)) {
                client.put(k, v);
            }
        });
        if (problems.isEmpty()) {
            try {
                checkSecurity(new HashMap<>(new AdminClientConfig(client).values()), problems);
            } catch (ConfigException e) {
                problems.add("Invalid source client config: "
                        + TopicNames.printable(hideSecrets(e.getMessage(), configs), TopicNames.MAX_MESSAGE_PART));
            }
        }
        return problems;
    }

    /**
     * Parses the JAAS config and builds the TLS context, as a client would when it connects, so a
     * link never stores security settings its copy threads cannot use. Messages never carry a
     * sensitive value.
     */
    private static void checkSecurity(Map<String, Object> client, List<String> problems) {
        if (client.get(SaslConfigs.SASL_JAAS_CONFIG) != null) {
            try {
                JaasContext.loadClientContext(client);
            } catch (RuntimeException e) {
                problems.add("Link config '" + SaslConfigs.SASL_JAAS_CONFIG + "' is not a valid JAAS configuration: "
                        + "it must read like '<login module class> required <option>=\"<value>\" ...;'");
            }
        }
        String protocol = String.valueOf(client.get(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG));
        if (protocol.equals("SSL") || protocol.equals("SASL_SSL")) {
            try (DefaultSslEngineFactory tls = new DefaultSslEngineFactory()) {
                tls.configure(client);
            } catch (RuntimeException e) {
                Map<String, String> plain = new TreeMap<>();
                client.forEach((k, v) -> plain.put(k, v instanceof Password p ? p.value() : String.valueOf(v)));
                problems.add("Invalid source TLS configs: "
                        + TopicNames.printable(hideSecrets(causes(e), plain), TopicNames.MAX_MESSAGE_PART));
            }
        }
    }

    /** The messages of an exception and its causes, e.g. "Invalid PEM keystore configs: ...". */
    private static String causes(Throwable t) {
        List<String> messages = new ArrayList<>();
        for (Throwable c = t; c != null && messages.size() < 4; c = c.getCause()) {
            if (c.getMessage() != null && !messages.contains(c.getMessage())) {
                messages.add(c.getMessage());
            }
        }
        return messages.isEmpty() ? "unexpected error" : String.join(": ", messages);
    }

    /** {@code message} with every sensitive config value in it replaced by {@code [hidden]}. */
    private static String hideSecrets(String message, Map<String, String> configs) {
        String result = message == null ? "" : message;
        for (Map.Entry<String, String> e : configs.entrySet()) {
            if (isSensitive(e.getKey()) && e.getValue() != null && e.getValue().length() >= 4) {
                result = result.replace(e.getValue(), "[hidden]");
            }
        }
        return result;
    }

    private static void requireFilter(Map<String, String> configs, String enable, String filter,
            List<String> problems) {
        if (Boolean.parseBoolean(configs.get(enable)) && configs.getOrDefault(filter, "").isBlank()) {
            problems.add("'" + enable + "=true' needs '" + filter + "'");
        }
    }

    /** Every config of a link as shown: behaviour configs with their defaults, client configs with secrets masked. */
    public static List<ConfigEntry> describe(Map<String, String> configs) {
        Map<String, ConfigEntry> entries = new TreeMap<>();
        BEHAVIOUR.values().forEach(d -> entries.put(d.name(), new ConfigEntry(d.name(),
                configs.getOrDefault(d.name(), d.defaultValue()), !configs.containsKey(d.name()),
                d.readOnly(), false)));
        configs.forEach((k, v) -> {
            if (isClientConfig(k)) {
                boolean sensitive = isSensitive(k);
                entries.put(k, new ConfigEntry(k, sensitive ? null : v, false, false, sensitive));
            }
        });
        return List.copyOf(entries.values());
    }

    /** Typed view of a validated config set, defaults applied. */
    public static LinkSettings settings(Map<String, String> configs) {
        return new LinkSettings(configs);
    }

    /** The value in effect: the stored one or the default. */
    static String effective(Map<String, String> configs, String name) {
        String v = configs.get(name);
        if (v != null) {
            return v;
        }
        Definition def = BEHAVIOUR.get(name);
        return def == null ? null : def.defaultValue();
    }

    /** Kafka consumer properties derived from the fetch tuning configs. */
    static Map<String, Object> tuningProperties(Map<String, String> configs) {
        return BEHAVIOUR.values().stream()
                .filter(d -> d.clientProperty() != null)
                .collect(Collectors.toMap(Definition::clientProperty, d -> effective(configs, d.name()),
                        (a, b) -> a, TreeMap::new));
    }

    private static void add(String name, String defaultValue, Check check) {
        BEHAVIOUR.put(name, new Definition(name, defaultValue, false, false, null, check));
    }

    private static void tuning(String name, String defaultValue, String clientProperty, Check check) {
        BEHAVIOUR.put(name, new Definition(name, defaultValue, false, false, clientProperty, check));
    }

    private static Check bool() {
        return v -> {
            if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
                throw new IllegalArgumentException("must be true or false");
            }
        };
    }

    private static Check longAtLeast(long min) {
        return v -> {
            long parsed;
            try {
                parsed = Long.parseLong(v.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("must be a whole number");
            }
            if (parsed < min) {
                throw new IllegalArgumentException("must be at least " + min);
            }
        };
    }

    private static Check intBetween(int min, int max) {
        return v -> {
            int parsed;
            try {
                parsed = Integer.parseInt(v.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("must be a whole number");
            }
            if (parsed < min || parsed > max) {
                throw new IllegalArgumentException("must be between " + min + " and " + max);
            }
        };
    }

    private static Check oneOf(String... allowed) {
        return v -> {
            for (String a : allowed) {
                if (a.equalsIgnoreCase(v.trim())) {
                    return;
                }
            }
            throw new IllegalArgumentException("must be one of " + String.join(", ", allowed));
        };
    }

    /** A filter config: empty, or JSON its parser accepts. */
    private static Check json(Check parser) {
        return v -> {
            if (!v.isBlank()) {
                parser.accept(v);
            }
        };
    }

    private static void checkPrefix(String v) {
        if (v.isEmpty() || !TopicNames.LEGAL.matcher(v).matches()) {
            throw new IllegalArgumentException("must be non-empty and use only [a-zA-Z0-9._-]");
        }
        if (v.length() > MAX_PREFIX_LENGTH) {
            throw new IllegalArgumentException("must be at most " + MAX_PREFIX_LENGTH + " characters");
        }
    }
}
