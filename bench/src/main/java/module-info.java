/**
 * skep's JMH benchmarks. Each benchmark class measures skep's code and a baseline in the same run, and
 * {@link io.skep.bench.Bench} reports every result as a ratio to its baseline.
 *
 * <p>Plugins are found the way the core finds them, through {@link java.util.ServiceLoader}; none is required.
 * The store scenario ({@code io.skep.bench.store}, not a JMH benchmark) drives the core's store
 * ({@code io.skep.core.store}, which the core exports to this module alone, and the API model {@code io.skep.api.model}). The
 * Docker engine scenario ({@code io.skep.bench.docker}) drives the docker CLI and a skep image as processes and
 * reads the engine's API over its unix socket. The cluster scenario ({@code io.skep.bench.cluster}) runs a swarm of
 * image processes and drives their control API over loopback HTTP. The scale scenario ({@code io.skep.bench.scale})
 * runs one manager process and a thousand simulated workers that join it and speak the dispatcher protocol over
 * mutual TLS ({@code io.skep.core.ca}, {@code io.skep.core.cluster}, {@code io.skep.core.dispatcher}, exported to this
 * module alone) on Netty. The fault-injection harness ({@code io.skep.bench.faults}) runs a swarm of image processes
 * in network namespaces and drives their control API over their unix sockets. The API fuzzer
 * ({@code io.skep.bench.fuzz}) sends malformed and mutated requests to an image process's control API and cluster
 * port over plain sockets and the JDK's TLS.
 */
module io.skep.bench {
    requires io.skep.spi;
    requires io.skep.core;
    requires io.skep.api;
    requires jmh.core;
    requires java.logging;
    requires java.net.http;
    requires com.fasterxml.jackson.databind;
    requires io.netty.buffer;
    requires io.netty.codec;
    requires io.netty.codec.http;
    requires io.netty.common;
    requires io.netty.handler;
    requires io.netty.transport;

    uses io.skep.spi.scheduler.SchedulerStrategy;

    opens io.skep.bench.scheduler to
            jmh.core;
}
