package io.skep.core.testing;

import io.skep.api.model.Ids;
import io.skep.api.model.Node;
import io.skep.api.model.Service;
import io.skep.api.model.ServiceSpec;
import io.skep.api.model.Task;
import io.skep.api.model.TaskState;
import io.skep.api.model.TaskSpec;

/** Store objects for tests of the reconcilers. */
public final class Fixtures {
    private Fixtures() {
    }

    /** A task status of {@code state}, as an agent reports it now. */
    public static Task.TaskStatus status(TaskState state) {
        Task.TaskStatus s = new Task.TaskStatus();
        s.state = state.wire();
        s.timestamp = Ids.now();
        return s;
    }

    /**
     * A ready, active worker of 2 CPUs and 4 GiB that runs the process runtime, with these node labels
     * ({@code "az", "1", ...}).
     */
    public static Node node(String id, String... labels) {
        Node n = new Node();
        n.id = id;
        n.createdAt = Ids.now();
        n.spec.role = "worker";
        n.spec.availability = "active";
        n.spec.labels = new java.util.HashMap<>();
        for (int i = 0; i + 1 < labels.length; i += 2) {
            n.spec.labels.put(labels[i], labels[i + 1]);
        }
        n.status.state = "ready";
        n.description.hostname = id;
        n.description.resources = new Node.Resources();
        n.description.resources.nanoCPUs = 2_000_000_000L;
        n.description.resources.memoryBytes = 4L << 30;
        n.description.engine = new Node.Engine();
        n.description.engine.plugins = java.util.List.of(new Node.PluginDescription(Node.RUNTIME_PLUGIN_TYPE, "process"));
        return n;
    }

    /**
     * A replicated service "web" of image app:v1, spec version 1. A test that changes its spec calls
     * {@link Service#digestTemplate()} again.
     */
    public static Service replicatedService(long replicas) {
        Service s = new Service();
        s.id = Ids.newId();
        s.spec = new ServiceSpec();
        s.spec.name = "web";
        s.spec.mode = new ServiceSpec.ServiceMode();
        s.spec.mode.replicated = new ServiceSpec.Replicated();
        s.spec.mode.replicated.replicas = replicas;
        s.spec.taskTemplate = new TaskSpec();
        s.spec.taskTemplate.containerSpec = new TaskSpec.ContainerSpec();
        s.spec.taskTemplate.containerSpec.image = "app:v1";
        s.specVersion = 1L;
        s.digestTemplate();
        return s;
    }
}
