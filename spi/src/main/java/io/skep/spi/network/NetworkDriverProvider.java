package io.skep.spi.network;

import io.skep.spi.Plugin;
import io.skep.spi.runtime.Availability;
import java.util.Optional;

/**
 * The entry point of a network driver plugin, found with {@link java.util.ServiceLoader}. Its {@link #name()} is
 * the driver users name in {@code network create --driver <name>} ({@code overlay}).
 *
 * <p>On a node, the agent {@link #probe probes} the driver and {@link #open opens} it once per start; the managers
 * only {@link #validate} definitions.
 */
public interface NetworkDriverProvider extends Plugin {

    /** Whether this driver can give networks a data path on this node, and if not, why. Must be quick. */
    Availability probe(NetworkDriverContext context);

    /**
     * Checks a network's definition (chiefly its driver options) before the managers accept it.
     *
     * @return a reason naming the offending option or field when the network cannot work with this driver
     */
    default Optional<String> validate(NetworkDefinition network) {
        return Optional.empty();
    }

    /**
     * Opens the driver on this node. Called once per node start, after a successful probe. Opening changes no
     * network: what an earlier run of the node left stays until {@link NetworkDriver#prepare} takes it over or
     * {@link NetworkDriver#releaseAllExcept} removes it.
     *
     * @throws NetworkDriverException when the driver cannot work here, naming why
     */
    NetworkDriver open(NetworkDriverContext context) throws NetworkDriverException;
}
