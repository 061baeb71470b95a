package io.clusterlink.testing;

import static io.restassured.RestAssured.given;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One scrape of the service's Prometheus endpoint ({@code /q/metrics}), read series by series. */
public final class ScrapedMetrics {

    /** One sample: its name, labels and value. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})? (\\S+)$",
            Pattern.MULTILINE);
    /** A label and its value; possessive, so that a long value is not a regex recursion per character. */
    private static final Pattern LABEL = Pattern.compile(
            "([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]++|\\\\.)*+)\",?");

    private final List<Sample> samples;

    private ScrapedMetrics(List<Sample> samples) {
        this.samples = samples;
    }

    /** Scrapes the running service now. */
    public static ScrapedMetrics scrape() {
        return parse(given().get("/q/metrics").then().statusCode(200).extract().asString());
    }

    static ScrapedMetrics parse(String text) {
        List<Sample> samples = new ArrayList<>();
        Matcher m = SAMPLE.matcher(text);
        while (m.find()) {
            Map<String, String> labels = new LinkedHashMap<>();
            if (m.group(2) != null) {
                Matcher l = LABEL.matcher(m.group(2));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2).replace("\\\"", "\"").replace("\\\\", "\\"));
                }
            }
            samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
        }
        return new ScrapedMetrics(samples);
    }

    /** The names of every series, as Prometheus stores them (with {@code _total}, {@code _bucket}, ...). */
    public Set<String> names() {
        Set<String> names = new TreeSet<>();
        samples.forEach(s -> names.add(s.name()));
        return names;
    }

    /** The samples of {@code name} that have all of {@code labels} (and maybe more). */
    public List<Sample> all(String name, Map<String, String> labels) {
        return samples.stream().filter(s -> s.name().equals(name))
                .filter(s -> s.labels().entrySet().containsAll(labels.entrySet())).toList();
    }

    /** The value of the one series of {@code name} that has all {@code labels}; NaN when there is none. */
    public double value(String name, Map<String, String> labels) {
        List<Sample> found = all(name, labels);
        if (found.size() > 1) {
            throw new AssertionError("More than one series of " + name + " with " + labels + ": " + found);
        }
        return found.isEmpty() ? Double.NaN : found.get(0).value();
    }
}
