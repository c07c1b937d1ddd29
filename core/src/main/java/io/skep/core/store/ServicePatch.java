package io.skep.core.store;

import io.skep.api.model.Service;

/** The service fields the orchestrator owns: the progress of an update, and of a requested rebalance. */
public class ServicePatch {
    public Service.UpdateStatus updateStatus;
    public Service.RebalanceStatus rebalanceStatus;
}
