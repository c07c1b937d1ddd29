package io.skep.api.model;

import java.util.List;

/** {@code EndpointSpec}: how a service is reached. Ports are accepted and kept; the mesh comes later. */
public class EndpointSpec extends Extensible {
    /** vip | dnsrr */
    public String mode;

    public List<PortConfig> ports;
}
