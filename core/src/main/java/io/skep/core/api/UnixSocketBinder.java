package io.skep.core.api;

import io.netty.channel.Channel;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.Optional;
import java.util.Set;

/**
 * Binds a control API unix socket so that it never exists at its path with looser permissions than asked. bind(2)
 * makes the socket 0777 less the process's umask (under a umask of 0002 or 0000, the user's group or anyone may
 * connect until a chmod); dockerd sets a umask of 0777 around it, which a JVM cannot. So the socket is bound
 * inside a fresh folder beside its path that only the daemon's user may enter, given its mode and group there, and
 * renamed into place: one atomic step, after which it is reachable, already as asked. The mode is 0660 with a
 * group ({@code --group}, dockerd's {@code -G}), 0600 without one.
 */
final class UnixSocketBinder {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_AND_GROUP = PosixFilePermissions.fromString("rw-rw----");

    /** Binds a socket at a path. */
    @FunctionalInterface
    interface Bind {
        Channel at(Path socket) throws IOException, InterruptedException;
    }

    private UnixSocketBinder() {}

    /**
     * Binds {@code socket} with {@code bind}, replacing a stale socket there (of a daemon that was killed), with
     * read and write access for {@code groupOption}'s group ({@link ControlAccess#socketGroup()}).
     *
     * @throws IllegalArgumentException for a group named that does not exist
     */
    static Channel bind(Path socket, String groupOption, Bind bind) throws IOException, InterruptedException {
        Path target = socket.toAbsolutePath();
        Optional<GroupPrincipal> group = group(groupOption);
        Path folder = Files.createTempDirectory(
                target.getParent(),
                ".skep",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path staged = folder.resolve("s"); // short: a socket's path has at most 107 bytes
        Channel channel = null;
        try {
            channel = bind.at(staged);
            PosixFileAttributeView view = Files.getFileAttributeView(staged, PosixFileAttributeView.class);
            if (group.isPresent()) {
                try {
                    view.setGroup(group.get());
                } catch (java.nio.file.FileSystemException e) {
                    throw new IOException(
                            "cannot give the control socket to group "
                                    + group.get().getName() + ": " + e.getReason()
                                    + " (the daemon's user must be root or a member of it)",
                            e);
                }
            }
            view.setPermissions(group.isPresent() ? OWNER_AND_GROUP : OWNER_ONLY);
            Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
            return channel;
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot move the control socket into " + target + ": " + e.getMessage(), e);
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (channel != null) {
                channel.close().awaitUninterruptibly();
            }
            throw e;
        } finally {
            Files.deleteIfExists(staged);
            Files.deleteIfExists(folder);
        }
    }

    /**
     * The group of {@code --group}: the one named, or {@value ControlAccess#DEFAULT_GROUP} when none is named and
     * it exists; none for an empty name.
     */
    static Optional<GroupPrincipal> group(String option) throws IOException {
        String name = option == null ? ControlAccess.DEFAULT_GROUP : option.strip();
        if (name.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(
                    FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByGroupName(name));
        } catch (UserPrincipalNotFoundException e) {
            if (option == null) {
                return Optional.empty(); // the default group is used where it exists
            }
            throw new IllegalArgumentException(
                    "--group " + name + ": no such group; create it (groupadd " + name
                            + ") or leave --group out, and only the daemon's user may use the socket",
                    e);
        }
    }
}
