package io.skep.runtime.process;

import io.skep.spi.runtime.TaskRuntimeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Resolves a task's {@code user} ({@code name}, {@code uid}, {@code name:group}, {@code uid:gid}) the way Docker
 * does, against the host's {@code /etc/passwd} and {@code /etc/group} (files only: users known only to NSS
 * services such as LDAP are not found).
 */
final class Users {

    private final Path passwd;
    private final Path group;

    Users(Path passwd, Path group) {
        this.passwd = passwd;
        this.group = group;
    }

    static Users host() {
        return new Users(Path.of("/etc/passwd"), Path.of("/etc/group"));
    }

    /**
     * Who a task runs as.
     *
     * @param name the user's name in the passwd file, or empty for a bare UID that has no entry there
     * @param home the user's home directory ({@code /} without a passwd entry, as Docker does)
     */
    record Identity(long uid, long gid, Optional<String> name, String home) {}

    private record Entry(String name, long id, long gid, String home) {}

    Identity resolve(String spec) throws TaskRuntimeException {
        int colon = spec.indexOf(':');
        String userPart = colon < 0 ? spec : spec.substring(0, colon);
        String groupPart = colon < 0 ? "" : spec.substring(colon + 1);
        if (userPart.isEmpty()) {
            throw new TaskRuntimeException("invalid user \"" + spec + "\": it names no user");
        }
        Optional<Entry> entry;
        long uid;
        if (isNumber(userPart)) {
            uid = parseId(userPart, spec);
            entry = find(passwd, true, e -> e.id() == uid);
        } else {
            entry = find(passwd, true, e -> e.name().equals(userPart));
            if (entry.isEmpty()) {
                throw new TaskRuntimeException(
                        "unable to find user " + userPart + ": no matching entries in passwd file");
            }
            uid = entry.get().id();
        }
        long gid;
        if (groupPart.isEmpty()) {
            gid = entry.map(Entry::gid).orElse(0L);
        } else if (isNumber(groupPart)) {
            gid = parseId(groupPart, spec);
        } else {
            gid = find(group, false, e -> e.name().equals(groupPart))
                    .map(Entry::id)
                    .orElseThrow(() -> new TaskRuntimeException(
                            "unable to find group " + groupPart + ": no matching entries in group file"));
        }
        return new Identity(
                uid, gid, entry.map(Entry::name), entry.map(Entry::home).orElse("/"));
    }

    /** The home directory of a UID, if the passwd file knows it. */
    Optional<String> homeOf(long uid) {
        return find(passwd, true, e -> e.id() == uid).map(Entry::home);
    }

    private static Optional<Entry> find(Path file, boolean isPasswd, Predicate<Entry> match) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return Optional.empty();
        }
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            // passwd: name:password:uid:gid:gecos:home:shell   group: name:password:gid:members
            String[] f = line.split(":", -1);
            if (f.length < 3 || !isNumber(f[2])) {
                continue;
            }
            try {
                long gid = isPasswd && f.length > 3 && isNumber(f[3]) ? Long.parseLong(f[3]) : -1;
                String home = isPasswd && f.length > 5 && !f[5].isEmpty() ? f[5] : "/";
                Entry entry = new Entry(f[0], Long.parseLong(f[2]), gid, home);
                if (match.test(entry)) {
                    return Optional.of(entry);
                }
            } catch (NumberFormatException e) {
                // a line we cannot read names nobody
            }
        }
        return Optional.empty();
    }

    private static long parseId(String digits, String spec) throws TaskRuntimeException {
        try {
            long id = Long.parseLong(digits);
            if (id <= 0xFFFF_FFFEL) {
                return id;
            }
        } catch (NumberFormatException e) {
            // falls through
        }
        throw new TaskRuntimeException("invalid user \"" + spec + "\": " + digits + " is out of range");
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }
}
