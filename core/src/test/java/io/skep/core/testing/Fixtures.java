package io.skep.core.testing;

import io.skep.core.model.Ids;
import io.skep.core.model.Service;
import io.skep.core.model.ServiceSpec;
import io.skep.core.model.Task;
import io.skep.core.model.TaskState;
import io.skep.core.model.TaskSpec;

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
