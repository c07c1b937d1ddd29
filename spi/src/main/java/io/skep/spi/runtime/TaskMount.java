package io.skep.spi.runtime;

import java.util.Objects;

/**
 * A filesystem mounted into the task ({@code ContainerSpec.Mounts}).
 *
 * @param type     what is mounted
 * @param source   a host path for {@link Type#BIND}, a volume name for {@link Type#VOLUME} (empty for an anonymous
 *                 one), empty for {@link Type#TMPFS}
 * @param target   the absolute path inside the task
 * @param readOnly whether the task may only read it
 */
public record TaskMount(Type type, String source, String target, boolean readOnly) {

    /** The kinds of mount, as Docker names them. */
    public enum Type {
        BIND,
        VOLUME,
        TMPFS
    }

    public TaskMount {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(target, "target");
        source = source == null ? "" : source;
    }
}
