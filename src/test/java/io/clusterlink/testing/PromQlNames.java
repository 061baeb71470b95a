package io.clusterlink.testing;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression (or a Grafana variable query) reads: every identifier that
 * is not a function, an aggregation, a keyword or a label name. Good for the expressions of our
 * dashboard and alerts; not a full PromQL parser.
 */
public final class PromQlNames {

    private static final Set<String> KEYWORDS = Set.of("sum", "min", "max", "avg", "group", "stddev", "stdvar",
            "count", "count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio", "and", "or", "unless",
            "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right", "atan2", "inf", "nan");
    /** Label lists: {@code by (a, b)}, {@code on (a)}, ... */
    private static final Pattern LABEL_LIST = Pattern.compile(
            "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    /** Grafana's {@code label_values(metric, label)}: only the first argument names a metric. */
    private static final Pattern LABEL_VALUES = Pattern
            .compile("^\\s*label_values\\((.*),\\s*[a-zA-Z_]\\w*\\s*\\)\\s*$");
    private static final Pattern QUERY_RESULT = Pattern.compile("^\\s*query_result\\((.*)\\)\\s*$");

    private PromQlNames() {
    }

    /** The metric names of a PromQL expression. */
    public static Set<String> of(String expr) {
        String s = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"") // string literals
                .replaceAll("'(?:[^'\\\\]|\\\\.)*'", "''")
                .replaceAll("\\$\\{[^}]*\\}", " ") // Grafana variables
                .replaceAll("\\$[a-zA-Z_]\\w*", " ")
                .replaceAll("\\{[^}]*\\}", " ") // label matchers
                .replaceAll("\\[[^\\]]*\\]", " "); // ranges and subqueries
        s = LABEL_LIST.matcher(s).replaceAll(" ");
        s = s.replaceAll("\\b\\d+(ms|s|m|h|d|w|y)\\b", " ") // durations (offset)
                .replaceAll("\\b\\d+(\\.\\d+)?(e[+-]?\\d+)?\\b", " ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(s);
        while (m.find()) {
            String word = m.group();
            int next = m.end();
            while (next < s.length() && Character.isWhitespace(s.charAt(next))) {
                next++;
            }
            boolean call = next < s.length() && s.charAt(next) == '(';
            if (!call && !KEYWORDS.contains(word)) {
                names.add(word);
            }
        }
        return names;
    }

    /** The metric names of a Grafana Prometheus variable query. */
    public static Set<String> ofVariableQuery(String query) {
        Matcher values = LABEL_VALUES.matcher(query);
        if (values.matches()) {
            return of(values.group(1));
        }
        Matcher result = QUERY_RESULT.matcher(query);
        if (result.matches()) {
            return of(result.group(1));
        }
        if (query.trim().startsWith("label_values(") || query.trim().startsWith("label_names(")
                || query.trim().startsWith("metrics(")) {
            return Set.of(); // (a label name or a regex, no metric)
        }
        return of(query);
    }
}
