package io.clusterlink.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.StringJoiner;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * clusterlink's REST API over HTTP: JSON in and out (an empty answer is a missing node), an answer of
 * 4xx or 5xx turned into a {@link CliException} with the service's message.
 */
final class ServiceClient {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(120);

    private final String baseUrl;
    private final String authorization;
    private final HttpClient http;

    ServiceClient(String baseUrl, String user, String password) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.authorization = user == null ? null
                : "Basic " + Base64.getEncoder().encodeToString(
                        (user + ":" + (password == null ? "" : password)).getBytes(StandardCharsets.UTF_8));
        this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
    }

    String baseUrl() {
        return baseUrl;
    }

    JsonNode get(String path, Map<String, ?> query) {
        return send("GET", path, query, null);
    }

    JsonNode post(String path, Map<String, ?> query, JsonNode body) {
        return send("POST", path, query, body);
    }

    JsonNode delete(String path, Map<String, ?> query) {
        return send("DELETE", path, query, null);
    }

    /** One path segment, percent-encoded. */
    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private JsonNode send(String method, String path, Map<String, ?> query, JsonNode body) {
        URI uri;
        try {
            uri = URI.create(baseUrl + path + queryString(query));
        } catch (IllegalArgumentException e) {
            throw new CliException("Invalid clusterlink service URL '" + baseUrl + "': " + e.getMessage());
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (body != null) {
            request.header("Content-Type", "application/json").method(method,
                    HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpConnectTimeoutException e) {
            throw unreachable("no connection within " + CONNECT_TIMEOUT.toSeconds() + " s");
        } catch (HttpTimeoutException e) {
            throw new CliException("The clusterlink service at " + baseUrl + " did not answer " + method + " "
                    + path + " within " + REQUEST_TIMEOUT.toSeconds() + " s");
        } catch (ConnectException e) {
            throw unreachable(e.getMessage() == null ? "connection refused" : e.getMessage());
        } catch (IOException e) {
            throw unreachable(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("Interrupted");
        } catch (IllegalArgumentException e) {
            throw new CliException("Invalid clusterlink service URL '" + baseUrl + "': " + e.getMessage());
        }
        int status = response.statusCode();
        if (status >= 400) {
            throw new CliException(errorMessage(status, response.body()));
        }
        if (response.body() == null || response.body().isBlank()) {
            return JSON.missingNode();
        }
        try {
            return JSON.readTree(response.body());
        } catch (JsonProcessingException e) {
            throw new CliException("The clusterlink service at " + baseUrl + " answered " + method + " " + path
                    + " with something other than JSON (is clusterlink.url the service's address?)");
        }
    }

    private CliException unreachable(String why) {
        return new CliException("Cannot reach the clusterlink service at " + baseUrl + " (" + oneLine(why)
                + "): set clusterlink.url in the --command-config file or CLUSTERLINK_URL");
    }

    private String errorMessage(int status, String body) {
        String message = null;
        try {
            JsonNode error = body == null || body.isBlank() ? null : JSON.readTree(body);
            if (error != null && error.hasNonNull("message")) {
                message = error.get("message").asText();
            }
        } catch (JsonProcessingException e) {
            // not a v3 error body: the status says enough
        }
        if (message == null) {
            message = "HTTP " + status;
        }
        if (status == 401) {
            return oneLine(message) + " (give clusterlink.api.user and clusterlink.api.password in the"
                    + " --command-config file, or CLUSTERLINK_API_USER and CLUSTERLINK_API_PASSWORD)";
        }
        return oneLine(message);
    }

    static String oneLine(String text) {
        return text.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }

    private static String queryString(Map<String, ?> query) {
        if (query == null || query.isEmpty()) {
            return "";
        }
        StringJoiner joined = new StringJoiner("&", "?", "");
        query.forEach((k, v) -> {
            if (v != null) {
                joined.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(String.valueOf(v), StandardCharsets.UTF_8));
            }
        });
        return joined.length() == 1 ? "" : joined.toString();
    }
}
