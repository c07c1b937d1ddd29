package io.skep.core.api;

import java.util.List;

/**
 * What a node in a swarm says of its part in it ({@code /info}'s Swarm section).
 *
 * @param manager  whether it is a manager (else a worker)
 * @param nodeAddr the address other nodes know it by
 * @param managers the managers' cluster addresses it knows
 */
public record Membership(boolean manager, String nodeAddr, List<String> managers) {}
