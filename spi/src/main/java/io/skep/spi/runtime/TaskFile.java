package io.skep.spi.runtime;

import java.util.Objects;

/**
 * A secret's or a config's file of a task. Its bytes are held in memory only: a runtime must not write them in
 * the clear to a disk (a container runtime mounts them from a tmpfs). {@link #toString} never shows them.
 */
public final class TaskFile {

    /** What the file holds. */
    public enum Kind {
        SECRET,
        CONFIG
    }

    private final Kind kind;
    private final String target;
    private final byte[] data;
    private final int mode;

    /**
     * @param kind   a secret's or a config's
     * @param target the file's path inside the task (absolute, or relative to {@code /run/secrets} for a secret
     *               and to {@code /} for a config, as Docker places them)
     * @param data   the contents (copied)
     * @param mode   the file's permission bits, e.g. {@code 0444}
     */
    public TaskFile(Kind kind, String target, byte[] data, int mode) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.target = Objects.requireNonNull(target, "target");
        this.data = Objects.requireNonNull(data, "data").clone();
        if (mode < 0 || mode > 07777) {
            throw new IllegalArgumentException("mode: not a file mode: " + Integer.toOctalString(mode));
        }
        this.mode = mode;
    }

    public Kind kind() {
        return kind;
    }

    public String target() {
        return target;
    }

    /** A copy of the contents. */
    public byte[] data() {
        return data.clone();
    }

    public int mode() {
        return mode;
    }

    @Override
    public String toString() {
        return "TaskFile[" + kind + " " + target + " (" + data.length + " bytes, mode 0" + Integer.toOctalString(mode)
                + ")]";
    }
}
