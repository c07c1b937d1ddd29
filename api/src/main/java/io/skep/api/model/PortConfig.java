package io.skep.api.model;

import java.util.Objects;

/** One published port of a service. */
public class PortConfig extends Extensible {
    public String name;
    public String protocol;
    public Long targetPort;
    public Long publishedPort;
    public String publishMode;

    /** The protocol, {@code tcp} when unset (Swarm's default). */
    public String protocolOrTcp() {
        return protocol == null || protocol.isEmpty() ? "tcp" : protocol;
    }

    /** Whether the port is published through the routing mesh (mode {@code ingress}, the default), not on its node. */
    public boolean throughMesh() {
        return publishMode == null || publishMode.isEmpty() || publishMode.equals("ingress");
    }

    /** The published port, 0 when none is asked (the managers pick one for the mesh). */
    public long publishedOrZero() {
        return publishedPort == null ? 0 : publishedPort;
    }

    /** The same port with Swarm's defaults filled in, as {@code Endpoint.Ports} shows it. */
    public PortConfig withDefaults() {
        PortConfig p = new PortConfig();
        p.name = name == null || name.isEmpty() ? null : name;
        p.protocol = protocolOrTcp();
        p.targetPort = targetPort == null ? 0 : targetPort;
        p.publishedPort = publishedOrZero();
        p.publishMode = throughMesh() ? "ingress" : publishMode;
        return p;
    }

    /** Whether {@code other} asks for the same port but perhaps its number: same name, protocol, target and mode. */
    public boolean sameAsked(PortConfig other) {
        return Objects.equals(name, other.name)
                && protocolOrTcp().equals(other.protocolOrTcp())
                && Objects.equals(targetPort, other.targetPort)
                && throughMesh() == other.throughMesh()
                && (throughMesh() || Objects.equals(publishMode, other.publishMode));
    }
}
