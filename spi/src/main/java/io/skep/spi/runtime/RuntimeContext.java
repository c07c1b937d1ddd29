package io.skep.spi.runtime;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What a runtime is given about the node it runs on.
 *
 * @param nodeId   the node's ID; a runtime that shares a host with other nodes owns only what it labels
 *                 with this ID
 * @param stateDir a directory of the runtime's own inside the node's data directory; it survives restarts
 *                 of the node, so a runtime keeps there what it needs to recover its tasks
 */
public record RuntimeContext(String nodeId, Path stateDir) {

    public RuntimeContext {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(stateDir, "stateDir");
    }
}
