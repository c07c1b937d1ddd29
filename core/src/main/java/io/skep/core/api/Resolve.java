package io.skep.core.api;

import io.skep.api.model.Kind;
import io.skep.api.model.Network;
import io.skep.api.model.Node;
import io.skep.api.model.Service;
import io.skep.api.model.StoredObject;
import io.skep.api.model.Task;
import io.skep.core.store.MemoryStore;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Finds the object a path names, as dockerd does: full ID, then exact name, then a unique ID prefix.
 * None is a 404; an ambiguous prefix is a 400.
 */
public final class Resolve {
    private Resolve() {}

    public static Service service(MemoryStore store, String ref) {
        return find(store.services(), ref, Service::name, "service");
    }

    public static Node node(MemoryStore store, String ref) {
        return find(
                store.nodes(), ref, n -> n.spec != null && n.spec.name != null ? n.spec.name : n.hostname(), "node");
    }

    public static Network network(MemoryStore store, String ref) {
        return find(store.networks(), ref, n -> n.name, "network");
    }

    public static Task task(MemoryStore store, String ref) {
        Task byId = store.get(Kind.TASK, ref);
        return byId != null ? byId : find(store.tasks(), ref, t -> null, "task");
    }

    private static <T extends StoredObject> T find(List<T> all, String ref, Function<T, String> name, String kind) {
        for (T o : all) {
            if (o.id.equals(ref)) {
                return o;
            }
        }
        List<T> named =
                all.stream().filter(o -> Objects.equals(name.apply(o), ref)).toList();
        if (named.size() == 1) {
            return named.get(0);
        }
        List<T> prefixed = all.stream().filter(o -> o.id.startsWith(ref)).toList();
        if (prefixed.size() == 1) {
            return prefixed.get(0);
        }
        if (prefixed.size() > 1 || named.size() > 1) {
            throw ApiException.badRequest(
                    kind + " " + ref + " is ambiguous (" + Math.max(prefixed.size(), named.size()) + " matches found)");
        }
        throw ApiException.notFound(kind + " " + ref + " not found");
    }
}
