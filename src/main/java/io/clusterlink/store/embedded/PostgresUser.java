package io.clusterlink.store.embedded;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * How PostgreSQL programs are run: {@code initdb}, {@code postgres} and {@code pg_ctl} refuse to run as root.
 * <ul>
 * <li>Not root: directly.</li>
 * <li>Root: in a new user namespace as uid/gid 65534 mapped to root
 * ({@code unshare --user --map-user=65534 --map-group=65534}). Inside the namespace the program is not root, yet the
 * files it creates belong to root outside and root-owned files belong to it inside, so nothing is chowned.</li>
 * <li>Root where user namespaces are not allowed (e.g. a container's default seccomp profile) or {@code unshare} is
 * too old for {@code --map-user}: as uid/gid 65534 through {@code setpriv}; the data directory is then chowned to
 * 65534, and its parent directories must be searchable by that user.</li>
 * </ul>
 */
final class PostgresUser {

    private static final int UNPRIVILEGED_ID = 65534;
    private static final long PROBE_TIMEOUT_SECONDS = 10;

    private enum Mode {
        CURRENT_USER, USER_NAMESPACE, SETPRIV
    }

    private static PostgresUser detected;

    private final Mode mode;

    private PostgresUser(Mode mode) {
        this.mode = mode;
    }

    /** Detected once per class loader: a few short probe processes when running as root. */
    static synchronized PostgresUser detect() throws IOException {
        if (detected == null) {
            detected = new PostgresUser(detectMode());
        }
        return detected;
    }

    /** {@code command} prefixed so that it runs as this user. */
    List<String> command(List<String> command) {
        List<String> full = new ArrayList<>();
        switch (mode) {
            case USER_NAMESPACE -> full.addAll(List.of("unshare", "--user",
                    "--map-user=" + UNPRIVILEGED_ID, "--map-group=" + UNPRIVILEGED_ID));
            case SETPRIV -> full.addAll(List.of("setpriv", "--reuid=" + UNPRIVILEGED_ID,
                    "--regid=" + UNPRIVILEGED_ID, "--clear-groups"));
            case CURRENT_USER -> {
            }
        }
        full.addAll(command);
        return full;
    }

    /** Makes {@code dir} and everything below it writable by this user. */
    void own(Path dir) throws IOException {
        if (mode != Mode.SETPRIV) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Files.setAttribute(path, "unix:uid", UNPRIVILEGED_ID, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(path, "unix:gid", UNPRIVILEGED_ID, LinkOption.NOFOLLOW_LINKS);
            }
        }
    }

    @Override
    public String toString() {
        return switch (mode) {
            case CURRENT_USER -> "current user";
            case USER_NAMESPACE -> "uid " + UNPRIVILEGED_ID + " in a user namespace";
            case SETPRIV -> "uid " + UNPRIVILEGED_ID;
        };
    }

    private static Mode detectMode() throws IOException {
        if (!isRoot()) {
            return Mode.CURRENT_USER;
        }
        if (succeeds(new PostgresUser(Mode.USER_NAMESPACE).command(List.of("true")))) {
            return Mode.USER_NAMESPACE;
        }
        if (succeeds(new PostgresUser(Mode.SETPRIV).command(List.of("true")))) {
            return Mode.SETPRIV;
        }
        throw new IOException("PostgreSQL cannot run as root, and neither 'unshare --user --map-user' nor 'setpriv'"
                + " can run it as an unprivileged user here; run the service as a non-root user"
                + " or configure quarkus.datasource.jdbc.url");
    }

    private static boolean isRoot() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return "root".equals(System.getProperty("user.name"));
        }
        // "Uid:" real, effective, saved set, file system
        return Files.readAllLines(status).stream()
                .filter(line -> line.startsWith("Uid:"))
                .map(line -> line.split("\\s+")[2])
                .anyMatch("0"::equals);
    }

    private static boolean succeeds(List<String> command) throws IOException {
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException notInstalled) {
            return false;
        }
        try {
            if (!process.waitFor(PROBE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return false;
            }
            return process.exitValue() == 0;
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while probing " + command.get(0));
        }
    }
}
