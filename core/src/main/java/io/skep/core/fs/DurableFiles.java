package io.skep.core.fs;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Files a node must find whole after a crash: written to a temporary file of the owner alone, synced, renamed over
 * the old one and the folder synced, so that a crash leaves the old file or the new one, never a torn or empty one.
 */
public final class DurableFiles {
    /** rw------- */
    public static final FileAttribute<?> OWNER_FILE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    /** rwx------ */
    public static final FileAttribute<?> OWNER_FOLDER =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

    private DurableFiles() {}

    /** Replaces {@code file} with {@code bytes}, atomically and durably; readable by the owner only. */
    public static void write(Path file, byte[] bytes) throws IOException {
        Path folder = file.toAbsolutePath().getParent();
        createFolders(folder);
        Path tmp = folder.resolve(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try (FileChannel out = FileChannel.open(
                tmp, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), OWNER_FILE)) {
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            out.force(true);
        }
        moveDurably(tmp, file);
    }

    /** Renames {@code from} over {@code to} (atomically) and syncs the folder, so that the rename survives a crash. */
    public static void moveDurably(Path from, Path to) throws IOException {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncFolder(to.toAbsolutePath().getParent());
    }

    /** Flushes a file written some other way (a stream) to the disk. */
    public static void sync(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    /** Flushes a folder's entries (a file made, renamed or removed in it) to the disk. */
    public static void syncFolder(Path folder) throws IOException {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /**
     * Creates {@code folder} and its missing parents for the owner alone; an existing one is left as it is (the data
     * directory's own permissions are the daemon's to set).
     */
    public static void createFolders(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            Path parent = folder.toAbsolutePath().getParent();
            if (parent != null) {
                createFolders(parent);
            }
            try {
                Files.createDirectory(folder, OWNER_FOLDER);
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // made meanwhile
            }
        }
    }
}
