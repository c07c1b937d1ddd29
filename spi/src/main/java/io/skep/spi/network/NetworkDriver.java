package io.skep.spi.network;

import java.util.Collection;
import java.util.List;

/**
 * A network driver opened on one node: it gives the networks whose tasks run here a data path, and plumbs each
 * task's endpoint into that task's network namespace.
 *
 * <p>The agent's calls, per network: {@link #prepare} when the node gets its first task on the network,
 * {@link #setPeers} whenever the network's remote endpoints change (and after {@code prepare}), {@link #setServices}
 * whenever its services' virtual IPs or their tasks change (and after {@code prepare}), {@link #attach}
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
     * <p>Afterwards the node's {@link NetworkDriverContext#serviceAddress() service address} is an address of the
     * node (in its namespace) and every endpoint of the network reaches it, internal networks included, with its
     * own address as the source (the node's DNS server sees which task asks). The endpoints of a network that is
     * not {@link NetworkDefinition#internal() internal} also reach beyond the node (egress), their traffic
     * masqueraded to the node's address; those of an internal network reach nothing outside the network but the
     * service address. No network's endpoints reach another network's through the node.
     *
     * <p>Idempotent: a network already prepared (in this run or an earlier one of the node) is checked and
     * repaired where it differs from {@code network}, not made twice.
     *
     * @throws NetworkDriverException naming the network and the step that failed
     */
    void prepare(NetworkDefinition network) throws NetworkDriverException;

    /**
     * Removes the network's data path from this node, with every endpoint still attached to it, its peer table,
     * its services and its way out of the network (the node keeps its service address).
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
     * {@link NetworkDefinition#internal() internal} (then with a route to the node's
     * {@link NetworkDriverContext#serviceAddress() service address} alone). The endpoint gets the network's current
     * {@link #setServices services}, and the driver keeps programming them into the task's namespace until the
     * endpoint is detached or the namespace is gone. The network must be {@link #prepare prepared}.
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
     * reach the network no more (nor the network's VIPs: the driver stops programming its namespace).
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
     * Sets the network's services on this node: the full list of its virtual IPs, each with the addresses of the
     * tasks behind it. Afterwards every connection (TCP or UDP) that an endpoint attached on this node to this
     * network opens to a VIP goes to one of that VIP's backends, chosen at random per connection; a connection to
     * a VIP without backends is refused at once (no hang). A backend left out gets no new connections (those open
     * may finish); a VIP left out is an ordinary address again. Endpoints attached later get the services at
     * {@link #attach}. A task that is itself a backend reaches the VIP too (maybe itself). The network must be
     * prepared.
     *
     * <p>Idempotent: the same list again changes nothing. After a restart of the node the driver knows the
     * endpoints to program again from the {@link #attach} calls that resync them.
     *
     * @throws NetworkDriverException naming the network (and task) and the step that failed; also when a VIP is
     *                                listed twice or an address is of a family the driver does not carry
     */
    void setServices(NetworkDefinition network, List<VirtualService> services) throws NetworkDriverException;

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
