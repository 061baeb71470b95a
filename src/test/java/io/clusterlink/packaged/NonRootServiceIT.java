package io.clusterlink.packaged;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.clusterlink.testing.KafkaClusters;
import io.clusterlink.testing.ServiceProcess;
import io.clusterlink.testing.TempDirectories;

/**
 * The packaged service as the container image (src/main/docker/Dockerfile) runs it: as an unprivileged user, from
 * an application directory it cannot write, with its data in a directory it owns, on the embedded PostgreSQL of the
 * production profile, checked by the image's health check script. As root, the test runs the service as
 * {@code nobody} (uid 65534, which has a passwd entry like the image's user) through {@code setpriv}; otherwise as
 * the current user.
 */
class NonRootServiceIT {

    private static final int NOBODY = 65534;
    private static final Path HEALTH_CHECK = Path.of("src/main/docker/healthcheck.sh");

    private final KafkaClusters kafka = KafkaClusters.get();
    private Path root;
    private ServiceProcess service;

    @AfterEach
    void cleanUp() throws Exception {
        if (service != null) {
            service.stop();
        }
        if (root != null) {
            TempDirectories.deleteRecursively(root);
        }
    }

    @Test
    void unprivilegedServiceRunsOnPasswordProtectedEmbeddedDatabaseWarnsItIsForTrialsAndPassesTheHealthCheck()
            throws Exception {
        // Given: the application copied like the image's /app (owned by root when the test runs as root), and a
        // data directory owned by the service's user
        boolean testIsRoot = uid(ProcessHandle.current().pid()) == 0;
        root = Files.createTempDirectory("clusterlink-non-root");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path app = copyApplication(root.resolve("app"));
        Path data = Files.createDirectory(root.resolve("data"));
        if (testIsRoot) {
            Files.setAttribute(data, "unix:uid", NOBODY, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(data, "unix:gid", NOBODY, LinkOption.NOFOLLOW_LINKS);
        }
        List<String> asUser = testIsRoot
                ? List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups")
                : List.of();
        service = new ServiceProcess(app.resolve("quarkus-run.jar"), asUser, data, Map.of(
                "clusterlink.clusters.destination.bootstrap-servers", kafka.destination().bootstrapServers(),
                "clusterlink.default-cluster", "destination"));

        // When
        service.start();

        // Then: the service and its PostgreSQL run unprivileged
        int serviceUid = uid(service.pid());
        assertThat(serviceUid).isNotZero();
        if (testIsRoot) {
            assertThat(serviceUid).isEqualTo(NOBODY);
        }
        Path pgData = data.resolve("postgres");
        long postmaster = Long.parseLong(Files.readAllLines(pgData.resolve("postmaster.pid")).get(0).trim());
        assertThat(uid(postmaster)).isEqualTo(serviceUid);

        // the image's health check passes
        assertThat(healthCheck()).isZero();

        // the embedded database asks for a password, which is never logged
        assertThat(Files.readString(pgData.resolve("PG_VERSION")).strip()).isEqualTo("18");
        String password = Files.readString(pgData.resolve("postgres.password")).strip();
        List<String> log = Files.readAllLines(service.log());
        assertThat(log).noneMatch(line -> line.contains(password));

        // and the production profile warns that it is meant for trials, saying how to configure an external one
        assertThat(log).filteredOn(line -> line.contains(" WARN ") && line.contains("meant for trials"))
                .singleElement().asString()
                .contains("quarkus.datasource.jdbc.url", "QUARKUS_DATASOURCE_JDBC_URL");

        // When the service stops, the health check fails
        service.stop();
        assertThat(healthCheck()).isEqualTo(1);
    }

    /** The exit code of the image's health check script against the service. */
    private int healthCheck() throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("bash", HEALTH_CHECK.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(service.port()));
        Process check = builder.start();
        assertThat(check.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return check.exitValue();
    }

    private static Path copyApplication(Path target) throws IOException {
        Path source = ServiceProcess.packagedJar().toAbsolutePath().getParent();
        try (Stream<Path> paths = Files.walk(source)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Files.copy(path, target.resolve(source.relativize(path).toString()),
                        StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        return target;
    }

    /** The effective user id of a process, from /proc. */
    private static int uid(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(line -> line.startsWith("Uid:"))
                .map(line -> Integer.parseInt(line.split("\\s+")[2]))
                .findFirst().orElseThrow();
    }
}
