package io.clusterlink.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's Chromium ({@code /usr/bin/chromium}, package {@code chromium}) run headless on a page of
 * the service under test: its DOM after load, or a screenshot. Each run gets a new empty profile and
 * no background traffic (the test machines have no outside network). {@code .ci/run} installs the
 * package; where it is missing, {@link #get()} fails the test with what to install, never skips it.
 */
public final class HeadlessChromium {

    /** Where the browser is; {@code -Dclusterlink-test.chromium=...} for another one. */
    public static final String PROPERTY = "clusterlink-test.chromium";
    private static final long TIMEOUT_SECONDS = 120;

    private final Path executable;
    private final Path workDir;

    private HeadlessChromium(Path executable, Path workDir) {
        this.executable = executable;
        this.workDir = workDir;
    }

    /** The browser, working under {@code workDir} (profiles, its log); fails the test when it is not installed. */
    public static HeadlessChromium get(Path workDir) throws IOException {
        Path executable = Path.of(System.getProperty(PROPERTY, "/usr/bin/chromium"));
        if (!Files.isExecutable(executable)) {
            throw new AssertionError("This test renders a page in headless Chromium, and " + executable
                    + " is missing: install Debian's chromium package (apt-get install chromium; .ci/run does so "
                    + "when it is missing) or point -D" + PROPERTY + " at a Chromium");
        }
        Files.createDirectories(workDir);
        return new HeadlessChromium(executable, workDir);
    }

    /** The page's DOM as Chromium serialises it once the page has loaded. */
    public String dumpDom(String url) throws IOException, InterruptedException {
        Path out = workDir.resolve("dom.html");
        run(List.of("--dump-dom", url), out);
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    /** A PNG of the page's top {@code height} pixels at {@code width}. */
    public void screenshot(String url, Path png, int width, int height) throws IOException, InterruptedException {
        Files.createDirectories(png.toAbsolutePath().getParent());
        Files.deleteIfExists(png);
        // On a busy machine the picture may otherwise be taken before the first paint: the page
        // settles in virtual time (less than its reload interval) and every stage is drawn first.
        run(List.of("--window-size=" + width + "," + height, "--hide-scrollbars", "--virtual-time-budget=3000",
                "--run-all-compositor-stages-before-draw", "--screenshot=" + png.toAbsolutePath(), url),
                workDir.resolve("screenshot.out"));
        if (!Files.exists(png)) {
            throw new AssertionError("Chromium wrote no screenshot to " + png + "; its log: " + log());
        }
    }

    private void run(List<String> arguments, Path stdout) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(workDir, "profile-");
        List<String> command = new ArrayList<>(List.of(executable.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--user-data-dir=" + profile));
        command.addAll(arguments);
        Process process = new ProcessBuilder(command).redirectOutput(stdout.toFile())
                .redirectError(workDir.resolve("chromium.log").toFile()).start();
        try {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("Chromium did not finish within " + TIMEOUT_SECONDS + " s; its log: " + log());
            }
            if (process.exitValue() != 0) {
                throw new AssertionError("Chromium exited with " + process.exitValue() + "; its log: " + log());
            }
        } finally {
            List<ProcessHandle> processes = new ArrayList<>(process.descendants().toList());
            processes.add(process.toHandle());
            processes.forEach(ProcessHandle::destroyForcibly);
            for (ProcessHandle p : processes) {
                p.onExit().completeOnTimeout(p, 10, TimeUnit.SECONDS).join();
            }
            try {
                TempDirectories.deleteRecursively(profile);
            } catch (IOException e) {
                // A profile left under the work directory harms nothing; the next run takes a new one.
            }
        }
    }

    private String log() throws IOException {
        Path log = workDir.resolve("chromium.log");
        if (!Files.exists(log)) {
            return "(none)";
        }
        String text = Files.readString(log, StandardCharsets.UTF_8);
        return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
    }
}
