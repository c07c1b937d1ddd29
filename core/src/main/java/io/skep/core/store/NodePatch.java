package io.skep.core.store;

import io.skep.api.model.Node;

/**
 * The node fields the dispatcher owns: what the node says about itself, and whether it is up; and the one the CA
 * owns: the TLS info of the certificate it signed last ({@code Description.TLSInfo}).
 */
public class NodePatch {
    public Node.Description description;
    public io.skep.api.model.TlsInfo tlsInfo;
    public Node.Status status;
    public Node.ManagerStatus managerStatus;
}
