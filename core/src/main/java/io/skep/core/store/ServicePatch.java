package io.skep.core.store;

import io.skep.api.model.Service;

/**
 * The service fields the reconcilers own: the progress of an update, and of a requested rebalance (orchestrator); the
 * virtual IPs (allocator; an empty list for none), the endpoint's spec and its published ports (allocator; an empty
 * list for none).
 */
public class ServicePatch {
    public Service.UpdateStatus updateStatus;
    public Service.RebalanceStatus rebalanceStatus;

    @com.fasterxml.jackson.annotation.JsonProperty("VirtualIPs")
    public java.util.List<Service.VirtualIp> virtualIps;

    public io.skep.api.model.EndpointSpec endpointSpec;
    public java.util.List<io.skep.api.model.PortConfig> ports;
}
