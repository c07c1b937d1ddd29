package io.skep.core.store;

import com.fasterxml.jackson.databind.JsonNode;
import io.skep.api.model.Kind;

/**
 * One object change inside a {@link Batch}.
 *
 * <ul>
 *   <li>{@code CREATE}: a new object; refused if its ID exists.</li>
 *   <li>{@code UPDATE}: replaces an object; refused unless the stored version is {@code expectedVersion}
 *       (optimistic concurrency, as {@code ?version=N} in the API).</li>
 *   <li>{@code PATCH}: sets the fields one reconciler owns (see {@link TaskPatch}, {@link NodePatch},
 *       {@link ServicePatch}) on whatever version is stored; a patch only moves states forward, so
 *       writers of different fields never conflict.</li>
 *   <li>{@code DELETE}: removes an object; a missing one is not an error.</li>
 * </ul>
 *
 * @param object the whole object (CREATE, UPDATE) or the patch (PATCH), as JSON; null for DELETE
 */
public record Change(Op op, Kind kind, String id, long expectedVersion, JsonNode object) {

    public enum Op {
        CREATE,
        UPDATE,
        PATCH,
        DELETE
    }
}
