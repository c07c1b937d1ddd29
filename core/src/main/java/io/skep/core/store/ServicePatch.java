package io.skep.core.store;

import io.skep.core.model.Service;

/** The service field the orchestrator owns: the progress of an update. */
public class ServicePatch {
    public Service.UpdateStatus updateStatus;
}
