package io.skep.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/** Docker's {@code NetworkCreateRequest}: the body of {@code POST /networks/create}. */
public class NetworkCreateRequest {
    public String name;
    public String driver;
    public String scope;
    public Boolean internal;
    public Boolean attachable;
    public Boolean ingress;
    public Boolean configOnly;
    public Map<String, String> configFrom;

    @JsonProperty("EnableIPv6")
    public Boolean enableIpv6;

    @JsonProperty("IPAM")
    public Network.Ipam ipam;

    public Map<String, String> options;
    public Map<String, String> labels;
}
