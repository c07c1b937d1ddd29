package io.skep.spi.network;

import java.util.Collection;
import java.util.List;

/**
 * A network driver opened on one node: it gives the networks whose tasks run here a data path, and plumbs each
 * task's endpoint into that task's network namespace.
 *
 * <p>The agent's calls, per network: {@link #prepare} when the node gets its first task on the network,
 * {@link #setPeers} whenever the network's remote endpoints change (and after {@code prepare}), {@link #attach}
 * and {@link #detach} as tasks start and end, {@link #release} when its last task is gone. After a restart of the
 * node it calls {@link #releaseAllExcept} with the networks it still needs, then the same calls again: every
 * call states a full desired state, so repeating one changes nothing and a resync is the ordinary call.
 *
 * <p><b>Threading.</b> Every method may be called from any thread. The driver serialises the calls that concern
 * one network, and may run calls on different networks in parallel. Every call blocks until the kernel's state
 * is in place (a driver runs system tools or talks netlink: milliseconds): call it from a thread that may block.
 *
 * <p><b>Errors.</b> A failed call throws {@link NetworkDriverException} naming the network or task and the step
 * that failed; it may leave part of its work done, and the same call again completes it.
 */
public interface NetworkDriver extends AutoCloseable {

    /**
     * Makes the network's data path on this node ready: after it, endpoints can be attached.
     *
     * <p>Idempotent: a network already prepared (in this run or an earlier one of the node) is checked and
     * repaired where it differs from {@code network}, not made twice.
     *
     * @throws NetworkDriverException naming the network and the step that failed
     */
    void prepare(NetworkDefinition network) throws NetworkDriverException;

    /**
     * Removes the network's data path from this node, with every endpoint still attached to it and its peer table.
     *
     * <p>Idempotent: a network that is not prepared here is left alone.
     *
     * @throws NetworkDriverException naming the network and the step that failed
     */
    void release(NetworkDefinition network) throws NetworkDriverException;

    /**
     * Plumbs a task's endpoint into its network namespace: an interface named
     * {@link Endpoint#interfaceName() interfaceName} with the endpoint's addresses and MAC, up, on the network's
     * data path, with a default route through the network's gateway unless the network is
     * {@link NetworkDefinition#internal() internal}. The network must be {@link #prepare prepared}.
     *
     * <p>Idempotent: an endpoint already attached is checked and repaired (its addresses made exactly those given,
     * its MAC, state and route set), not made twice.
     *
     * @throws NetworkDriverException naming the task, the network and the step that failed; also when the
     *                                namespace holds another interface of that name, or the network is not prepared
     */
    void attach(NetworkDefinition network, Endpoint endpoint) throws NetworkDriverException;

    /**
     * Removes a task's endpoint from the network: its interface leaves the task's namespace, and the task can
     * reach the network no more.
     *
     * <p>Idempotent: an endpoint that is not attached (never was, was detached, or went with its namespace when
     * the task ended) is left alone, as is a network that is not prepared.
     *
     * @throws NetworkDriverException naming the task, the network and the step that failed
     */
    void detach(NetworkDefinition network, String taskId) throws NetworkDriverException;

    /**
     * Sets the network's peer table on this node: the full list of the network's endpoints on other nodes, each
     * with the node that holds it. Afterwards the local endpoints reach exactly these remote ones: entries missing
     * from {@code peers} are removed, those whose node or MAC changed are replaced. Entries whose node is this
     * node's own data-path address are local endpoints and are ignored. The network must be prepared.
     *
     * <p>Idempotent: the same list again changes nothing, so a resync (after a restart, or a lost update) is the
     * same call.
     *
     * @throws NetworkDriverException naming the network and the step that failed
     */
    void setPeers(NetworkDefinition network, List<PeerEndpoint> peers) throws NetworkDriverException;

    /**
     * Removes the data path of every network this node's driver prepared (in this run or an earlier one) other
     * than {@code networks}: after a restart, the networks whose tasks went while the node was down.
     *
     * <p>Idempotent.
     *
     * @return a line for each network removed, for the node's log
     * @throws NetworkDriverException naming the network whose removal failed
     */
    List<String> releaseAllExcept(Collection<NetworkDefinition> networks) throws NetworkDriverException;

    /** Releases the driver's own resources. Networks and endpoints stay as they are, for the next run. */
    @Override
    void close();
}
