package io.skep.api.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * A swarm network as the store keeps it: what {@code POST /networks/create} asked for, with the allocator's choices
 * filled in (the subnet and gateway of {@link #ipam}, the {@link #vxlanId}). The API shows it in Docker's network
 * shape, built from this.
 */
public class Network extends StoredObject {
    /** The option Docker shows the VXLAN ID under. */
    public static final String VXLAN_OPTION = "com.docker.network.driver.overlay.vxlanid_list";

    public String name;
    public String driver;
    public Boolean internal;
    public Boolean attachable;
    public Boolean ingress;

    @JsonProperty("IPAM")
    public Ipam ipam;

    public Map<String, String> options;
    public Map<String, String> labels;

    /** The VXLAN network identifier its overlay uses (Docker's first is 4097). */
    @JsonProperty("VXLANID")
    public Long vxlanId;

    /** {@code IPAM}: Docker's address management settings. */
    public static class Ipam {
        public String driver;
        public Map<String, String> options;
        public List<IpamConfig> config;
    }

    /** One {@code IPAM.Config} entry. */
    public static class IpamConfig {
        public String subnet;

        @JsonProperty("IPRange")
        public String ipRange;

        public String gateway;
        public Map<String, String> auxiliaryAddresses;
    }

    /** The network's one subnet, or null before it is allocated. */
    @JsonIgnore
    public IpamConfig subnetConfig() {
        return ipam == null || ipam.config == null || ipam.config.isEmpty() ? null : ipam.config.get(0);
    }

    @JsonIgnore
    public Cidr subnet() {
        IpamConfig c = subnetConfig();
        return c == null || c.subnet == null ? null : Cidr.parse(c.subnet);
    }
}
