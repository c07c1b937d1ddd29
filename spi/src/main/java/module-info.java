/**
 * The plugin contracts of skep. A plugin vendor compiles against this module alone: each contract is an
 * interface found by {@link java.util.ServiceLoader}, and the values it exchanges with the core are records.
 */
module io.skep.spi {
    exports io.skep.spi;
    exports io.skep.spi.scheduler;
    exports io.skep.spi.runtime;
    exports io.skep.spi.network;
}
