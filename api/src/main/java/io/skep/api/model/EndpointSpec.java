package io.skep.api.model;

import java.util.List;

/** {@code EndpointSpec}: how a service is reached: by its VIP or DNS round robin, and the ports it publishes. */
public class EndpointSpec extends Extensible {
    /** vip | dnsrr */
    public String mode;

    public List<PortConfig> ports;
}
