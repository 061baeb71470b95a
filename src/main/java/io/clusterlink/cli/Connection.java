package io.clusterlink.cli;

import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Option;

/**
 * Where the service is and which of its destination clusters a command acts on: {@code --bootstrap-server}
 * names the cluster by its brokers, as for Confluent's tools; the service's URL and API credentials come
 * from the {@code --command-config} file or the environment.
 */
public class Connection {

    static final String URL_KEY = "clusterlink.url";
    static final String USER_KEY = "clusterlink.api.user";
    static final String PASSWORD_KEY = "clusterlink.api.password";
    static final String URL_ENV = "CLUSTERLINK_URL";
    static final String USER_ENV = "CLUSTERLINK_API_USER";
    static final String PASSWORD_ENV = "CLUSTERLINK_API_PASSWORD";
    static final String DEFAULT_URL = "http://localhost:8080";

    @Option(names = "--bootstrap-server", required = true, paramLabel = "<host:port>",
            description = "The destination cluster, by (one of) the bootstrap servers the service has for it.")
    String bootstrapServer;

    @Option(names = "--command-config", paramLabel = "<file>",
            description = "Properties file with " + URL_KEY + " (default " + DEFAULT_URL + "), " + USER_KEY + " and "
                    + PASSWORD_KEY + "; other keys (Kafka client properties) are ignored. Without it: "
                    + URL_ENV + ", " + USER_ENV + ", " + PASSWORD_ENV + ".")
    Path commandConfig;

    /** The service client and the id of the cluster {@code --bootstrap-server} names. */
    record Target(ServiceClient client, String clusterId) {

        String clusterPath() {
            return "/kafka/v3/clusters/" + ServiceClient.segment(clusterId);
        }

        String linkPath(String link) {
            return clusterPath() + "/links/" + ServiceClient.segment(link);
        }
    }

    Target open(Map<String, String> env) {
        Properties config = commandConfig == null ? new Properties() : load(commandConfig, "--command-config");
        String url = setting(config, URL_KEY, env, URL_ENV);
        ServiceClient client = new ServiceClient(url == null ? DEFAULT_URL : url,
                setting(config, USER_KEY, env, USER_ENV), setting(config, PASSWORD_KEY, env, PASSWORD_ENV));
        return new Target(client, clusterId(client));
    }

    private static String setting(Properties config, String key, Map<String, String> env, String envName) {
        String value = config.getProperty(key);
        if (value == null || value.isBlank()) {
            value = env.get(envName);
        }
        return value == null || value.isBlank() ? null : value.trim();
    }

    private String clusterId(ServiceClient client) {
        JsonNode clusters = client.get("/kafka/v3/clusters", Map.of()).path("data");
        List<String> known = new ArrayList<>();
        for (JsonNode cluster : clusters) {
            String id = cluster.path("cluster_id").asText();
            String servers = cluster.path("bootstrap_servers").asText("");
            if (sameServers(bootstrapServer, servers)) {
                return id;
            }
            known.add(id + " (" + servers + ")");
        }
        throw new CliException("The clusterlink service at " + client.baseUrl() + " manages no destination cluster"
                + " with bootstrap server '" + bootstrapServer + "'" + (known.isEmpty() ? " (it answers with none)"
                        : "; it manages " + String.join(", ", known)));
    }

    /** Whether two bootstrap server lists share a server: by name and port, or by address and port. */
    static boolean sameServers(String given, String configured) {
        Set<String> wanted = servers(given);
        Set<String> have = servers(configured);
        if (wanted.stream().anyMatch(have::contains)) {
            return true;
        }
        Set<String> haveAddresses = addresses(have);
        return addresses(wanted).stream().anyMatch(haveAddresses::contains);
    }

    private static Set<String> servers(String list) {
        Set<String> servers = new HashSet<>();
        for (String server : list.split(",")) {
            if (!server.isBlank()) {
                servers.add(server.trim().toLowerCase(Locale.ROOT));
            }
        }
        return servers;
    }

    private static Set<String> addresses(Set<String> servers) {
        Set<String> addresses = new HashSet<>();
        for (String server : servers) {
            int colon = server.lastIndexOf(':');
            if (colon <= 0) {
                continue;
            }
            String host = server.substring(0, colon).replace("[", "").replace("]", "");
            String port = server.substring(colon + 1);
            try {
                for (InetAddress address : InetAddress.getAllByName(host)) {
                    addresses.add(address.getHostAddress() + ":" + port);
                }
            } catch (UnknownHostException e) {
                // a name that does not resolve matches by name only
            }
        }
        return addresses;
    }

    /** A properties file named by {@code flag}; unreadable is a one-line error. */
    static Properties load(Path file, String flag) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new CliException("Cannot read the " + flag + " file " + file + ": " + describe(e));
        }
        return properties;
    }

    /** A file named by {@code flag}, as text; unreadable is a one-line error. */
    static String read(Path file, String flag) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CliException("Cannot read the " + flag + " file " + file + ": " + describe(e));
        }
    }

    private static String describe(Exception e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : ServiceClient.oneLine(e.getMessage());
    }
}
