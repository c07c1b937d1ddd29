package io.skep.core.store;

import io.skep.core.model.Node;

/** The node fields the dispatcher owns: what the node says about itself, and whether it is up. */
public class NodePatch {
    public Node.Description description;
    public Node.Status status;
    public Node.ManagerStatus managerStatus;
}
