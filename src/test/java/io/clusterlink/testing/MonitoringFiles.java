package io.clusterlink.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The monitoring files of the repository: the Grafana dashboard ({@code monitoring/grafana}) and
 * the Prometheus alert rules ({@code monitoring/prometheus}), read as their tools read them, down
 * to the metric names their queries name.
 */
public final class MonitoringFiles {

    public static final Path DASHBOARD = Path.of("monitoring", "grafana", "clusterlink.json");
    public static final Path ALERTS = Path.of("monitoring", "prometheus", "alerts.yml");
    private static final Pattern EXPR = Pattern.compile("^\\s*expr:\\s*(.+)$", Pattern.MULTILINE);
    private static final Pattern ALERT = Pattern.compile("^\\s*- alert:\\s*(\\S+)\\s*$", Pattern.MULTILINE);

    private MonitoringFiles() {
    }

    /** Every query of the dashboard (panels, panels in rows, variables), by where it is. */
    public static Map<String, String> dashboardQueries() {
        JsonNode dashboard;
        try {
            dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> queries = new LinkedHashMap<>();
        List<JsonNode> panels = new ArrayList<>();
        dashboard.path("panels").forEach(p -> {
            panels.add(p);
            p.path("panels").forEach(panels::add);
        });
        for (JsonNode panel : panels) {
            if ("row".equals(panel.path("type").asText())) {
                continue;
            }
            if (panel.path("targets").isEmpty()) {
                throw new AssertionError("Panel '" + panel.path("title").asText() + "' has no query");
            }
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText("");
                if (expr.isBlank()) {
                    throw new AssertionError("Panel '" + panel.path("title").asText() + "' has a query without expr");
                }
                queries.put("panel '" + panel.path("title").asText() + "' " + target.path("refId").asText(), expr);
            }
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (!"query".equals(variable.path("type").asText())) {
                continue;
            }
            JsonNode query = variable.path("query");
            queries.put("variable " + variable.path("name").asText(),
                    query.isTextual() ? query.asText() : query.path("query").asText());
        }
        return queries;
    }

    /** The metric names of a dashboard query: Grafana's syntax for a variable's, PromQL for a panel's. */
    public static Set<String> metricNames(String where, String query) {
        return where.startsWith("variable ") ? PromQlNames.ofVariableQuery(query) : PromQlNames.of(query);
    }

    /** Every alert rule's expression, by alert name (one line each, as the file's comment asks). */
    public static Map<String, String> alertExpressions() {
        String text;
        try {
            text = Files.readString(ALERTS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> names = new ArrayList<>();
        Matcher alert = ALERT.matcher(text);
        while (alert.find()) {
            names.add(alert.group(1));
        }
        List<String> exprs = new ArrayList<>();
        Matcher expr = EXPR.matcher(text);
        while (expr.find()) {
            exprs.add(expr.group(1).trim());
        }
        if (names.size() != exprs.size() || exprs.stream().anyMatch(e -> e.equals("|") || e.equals(">"))) {
            throw new AssertionError("Each alert rule needs its expr on one line: " + names.size() + " alerts, "
                    + exprs.size() + " exprs");
        }
        Map<String, String> rules = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            rules.put(names.get(i), exprs.get(i));
        }
        return rules;
    }
}
