package io.clusterlink.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the benchmarks read about the processes they start: CPU time, heap, threads, and tool runs. */
final class Processes {

    private Processes() {
    }

    /**
     * The sections of a benchmark to run: those named by {@code -Dbench.sections} (comma-separated), all
     * of them when it is missing or empty (the POM's default).
     */
    static List<String> sections(String all) {
        String named = System.getProperty("bench.sections", "");
        return List.of((named.isBlank() ? all : named).replace(" ", "").split(","));
    }

    /**
     * A new directory for a benchmark's brokers and logs, removed when the JVM exits, also when it is
     * interrupted: a run writes gigabytes there, and a disk left full fails every build after it.
     */
    static Path scratchDirectory(String prefix) throws IOException {
        Path dir = Files.createTempDirectory(prefix);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir), prefix + "-cleanup"));
        return dir;
    }

    private static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException e) {
            System.err.println("could not remove " + dir + ": " + e);
        }
    }

    /** User and system CPU seconds of a process so far (from /proc, in clock ticks of 1/100 s). */
    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
        } catch (Exception e) {
            return 0;
        }
    }

    /** What a JVM's collection log ({@code -Xlog:gc}) says about the collections in part of it. */
    record Collections(long peakHeapBytes, long peakLiveBytes, double pauseSeconds) {
    }

    private static final Pattern COLLECTION = Pattern.compile("(\\d+)M->(\\d+)M\\(\\d+M\\) ([\\d.]+)ms");

    /** The log's size now: where a later {@link #collections} starts reading. */
    static long logSize(Path gcLog) {
        try {
            return Files.size(gcLog);
        } catch (Exception e) {
            return 0;
        }
    }

    /**
     * The collections logged after byte {@code from}: the highest heap use before one (heap use peaks
     * just before a collection, garbage included), the highest after one (what was still in use),
     * and their pauses. Read from the log, so that measuring costs the
     * measured process nothing (a {@code jcmd} per sample is a JVM start on the same cores).
     */
    static Collections collections(Path gcLog, long from) {
        long peak = 0;
        long live = 0;
        double pauses = 0;
        try {
            String text = Files.readString(gcLog);
            Matcher m = COLLECTION.matcher(text.substring((int) Math.min(from, text.length())));
            while (m.find()) {
                peak = Math.max(peak, Long.parseLong(m.group(1)) * 1024 * 1024);
                live = Math.max(live, Long.parseLong(m.group(2)) * 1024 * 1024);
                pauses += Double.parseDouble(m.group(3)) / 1000;
            }
        } catch (Exception e) {
            // no log: no figures
        }
        return new Collections(peak, live, pauses);
    }

    static int threads(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("Threads:")) {
                    return Integer.parseInt(line.substring(8).trim());
                }
            }
        } catch (Exception e) {
            // gone
        }
        return 0;
    }

    /** Runs a command to its end (at most {@code seconds}) and returns what it printed. */
    static String run(int seconds, String... command) {
        try {
            Path out = Files.createTempFile("bench-", ".out");
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            String text = Files.readString(out);
            Files.deleteIfExists(out);
            return text;
        } catch (Exception e) {
            return "";
        }
    }

    /**
     * Records per second of Kafka's own {@code ProducerPerformance} (what
     * {@code kafka-producer-perf-test.sh} runs), from the broker distribution's jars, writing
     * {@code records} of {@code recordSize} bytes as fast as it can with {@code producerProps}.
     */
    static double producerPerformance(String bootstrap, String topic, long records, int recordSize,
            String... producerProps) {
        String lib = System.getProperty("clusterlink-test.kafka-lib-dir");
        if (lib == null || !Files.isDirectory(Path.of(lib))) {
            throw new IllegalStateException("clusterlink-test.kafka-lib-dir does not name the Kafka broker jars");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx1g", "-cp", lib + "/*",
                "org.apache.kafka.tools.ProducerPerformance", "--topic", topic, "--num-records",
                Long.toString(records), "--record-size", Integer.toString(recordSize), "--throughput", "-1",
                "--producer-props", "bootstrap.servers=" + bootstrap));
        command.addAll(List.of(producerProps));
        String out = run(600, command.toArray(String[]::new));
        Matcher m = Pattern.compile("(\\d+) records sent, ([\\d.]+) records/sec").matcher(out);
        Double rate = null;
        while (m.find()) {
            rate = Double.parseDouble(m.group(2)); // the last line is the whole run's
        }
        if (rate == null) {
            throw new IllegalStateException("ProducerPerformance printed no result (the broker jars need kafka-tools: "
                    + "delete target/kafka-broker to resolve them again):\n" + out);
        }
        return rate;
    }
}
