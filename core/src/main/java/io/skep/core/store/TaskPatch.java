package io.skep.core.store;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.skep.api.model.Task;

/**
 * The task fields written by reconcilers, each by one owner: desired state (orchestrator), node and the
 * move to assigned (scheduler), observed status (dispatcher, from agents), pending and network addresses (allocator). Applied only
 * when it moves a state forward, so a late or repeated patch is harmless.
 */
public class TaskPatch {
    public String desiredState;

    @JsonProperty("NodeID")
    public String nodeId;

    public Task.TaskStatus status;

    /** The allocator's addresses for the task; set once, never changed. */
    public java.util.List<Task.NetworkAttachment> networksAttachments;

    public static TaskPatch desired(String state) {
        TaskPatch p = new TaskPatch();
        p.desiredState = state;
        return p;
    }

    public static TaskPatch status(Task.TaskStatus status) {
        TaskPatch p = new TaskPatch();
        p.status = status;
        return p;
    }
}
