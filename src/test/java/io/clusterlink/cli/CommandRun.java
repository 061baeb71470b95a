package io.clusterlink.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

/**
 * One run of {@code kafka-cluster-links} or {@code kafka-mirrors} in this JVM, from a command line as a
 * shell would split it (words separated by blanks; no quoting needed by the tests): its exit code and
 * its output and error lines.
 */
record CommandRun(int exitCode, List<String> out, List<String> err) {

    static CommandRun of(String commandLine) {
        return of(commandLine, Map.of());
    }

    static CommandRun of(String commandLine, Map<String, String> env) {
        String[] words = commandLine.trim().split("\\s+");
        Object command = switch (words[0]) {
            case "kafka-cluster-links" -> new KafkaClusterLinks(env);
            case "kafka-mirrors" -> new KafkaMirrors(env);
            default -> throw new IllegalArgumentException("Not a command of the CLI: " + words[0]);
        };
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] args = java.util.Arrays.copyOfRange(words, 1, words.length);
        int code = Cli.run(command, new PrintWriter(out), new PrintWriter(err), args);
        return new CommandRun(code, lines(out), lines(err));
    }

    private static List<String> lines(StringWriter text) {
        String s = text.toString();
        return s.isEmpty() ? List.of() : List.of(s.split("\\R"));
    }
}
