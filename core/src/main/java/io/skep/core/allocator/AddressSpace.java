package io.skep.core.allocator;

import io.skep.api.model.Cidr;
import io.skep.api.model.Network;
import io.skep.api.model.Service;
import io.skep.api.model.Task;
import io.skep.api.model.TaskState;
import io.skep.core.store.MemoryStore;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The addresses of one network and which of them are taken: its gateway, the services' virtual IPs and the addresses
 * of tasks that have not ended. Built from the store alone, so a new leader's allocator knows everything the last
 * one handed out and never hands an address out twice.
 */
final class AddressSpace {
    private final Network network;
    private final Cidr subnet;
    /** Where task and service addresses come from: {@code IPRange}, or the whole subnet. */
    private final Cidr range;
    /** Bit {@code i}: address {@code range.base() + i} is taken. */
    private final BitSet taken = new BitSet();

    private AddressSpace(Network network) {
        this.network = network;
        Network.IpamConfig config = network.subnetConfig();
        this.subnet = Cidr.parse(config.subnet);
        this.range = config.ipRange == null || config.ipRange.isEmpty() ? subnet : Cidr.parse(config.ipRange);
        take(subnet.base()); // the network's own address
        take(subnet.last()); // its broadcast address
        if (config.gateway != null && !config.gateway.isEmpty()) {
            take(Cidr.address(config.gateway));
        }
        if (config.auxiliaryAddresses != null) { // addresses the user keeps for hosts of their own
            config.auxiliaryAddresses.values().forEach(a -> take(Cidr.address(a)));
        }
    }

    /** Every network's space with what the store says is taken: by network ID. */
    static Map<String, AddressSpace> of(MemoryStore store) {
        Map<String, AddressSpace> spaces = new HashMap<>();
        for (Network n : store.networks()) {
            if (n.subnet() != null) {
                spaces.put(n.id, new AddressSpace(n));
            }
        }
        for (Service s : store.services()) {
            if (s.endpoint != null && s.endpoint.virtualIps != null) {
                for (Service.VirtualIp vip : s.endpoint.virtualIps) {
                    take(spaces, vip.networkId, vip.addr);
                }
            }
        }
        for (Task t : store.tasks()) {
            if (holdsAddresses(t)) {
                for (Task.NetworkAttachment a : t.networksAttachments) {
                    for (String address : a.addresses == null ? List.<String>of() : a.addresses) {
                        take(spaces, a.network == null ? null : a.network.id, address);
                    }
                }
            }
        }
        return spaces;
    }

    /** A task keeps its addresses until it has ended (swarmkit frees them at a terminal state). */
    static boolean holdsAddresses(Task t) {
        TaskState state = t.state();
        return t.networksAttachments != null && (state == null || !state.isTerminal());
    }

    private static void take(Map<String, AddressSpace> spaces, String networkId, String address) {
        AddressSpace space = networkId == null ? null : spaces.get(networkId);
        if (space != null && address != null) {
            space.take(Cidr.address(Cidr.withoutPrefix(address)));
        }
    }

    private void take(long address) {
        if (range.contains(address)) {
            taken.set((int) (address - range.base()));
        }
    }

    Network network() {
        return network;
    }

    /** The lowest free address, now taken, as {@code 10.0.1.5/24}; null when the network is full. */
    String allocate() {
        int free = taken.nextClearBit(0);
        if (free >= range.size()) {
            return null;
        }
        taken.set(free);
        return subnet.withPrefix(range.base() + free);
    }

    /** Whether {@code address} ({@code 10.0.1.5/24}) is this network's: a VIP kept across passes must be. */
    boolean owns(String address) {
        try {
            return subnet.contains(Cidr.address(Cidr.withoutPrefix(address)));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
