package io.skep.spi.runtime;

import java.util.List;
import java.util.Objects;

/**
 * A network the task joins, as the managers allocated it.
 *
 * @param network   the network's ID or name
 * @param addresses the task's addresses on it, in CIDR form ({@code 10.0.1.5/24}); empty to let the runtime choose
 * @param aliases   further DNS names of the task on the network
 */
public record NetworkAttachment(String network, List<String> addresses, List<String> aliases) {

    public NetworkAttachment {
        Objects.requireNonNull(network, "network");
        addresses = addresses == null ? List.of() : List.copyOf(addresses);
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
    }
}
