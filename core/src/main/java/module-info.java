/**
 * A skep node: the replicated store, the control API, the reconcilers (orchestrators, allocator, scheduler,
 * dispatcher), the agent, plugin loading, and {@code skep daemon}, which it adds to the CLI's commands. Plugins are
 * found through the SPI's service interfaces; core never names a plugin class.
 */
@SuppressWarnings("module") // the qualified exports name io.skep.bench, which builds after core
module io.skep.core {
    requires io.skep.spi;
    requires io.skep.cli;
    requires org.apache.ratis;
    requires io.netty.buffer;
    requires io.netty.codec;
    requires io.netty.codec.dns;
    requires io.netty.codec.http;
    requires io.netty.common;
    requires io.netty.handler;
    requires io.netty.transport;
    requires com.fasterxml.jackson.databind;
    requires org.bouncycastle.pkix;
    requires org.bouncycastle.provider;
    requires static org.conscrypt; // optional: a trimmed image may leave it out, and TLS runs on the JDK's JSSE
    requires org.slf4j;
    requires java.logging;
    requires java.net.http;

    exports io.skep.core.store to
            io.skep.bench;
    exports io.skep.core.pki to
            io.skep.bench;
    exports io.skep.core.tls to
            io.skep.bench;
    exports io.skep.core.scheduler to
            io.skep.bench;
    exports io.skep.core.manager to
            io.skep.bench;
    exports io.skep.core.reconcile to
            io.skep.bench;
    exports io.skep.core.ca to
            io.skep.bench;
    exports io.skep.core.cluster to
            io.skep.bench;
    exports io.skep.core.dispatcher to
            io.skep.bench;
    exports io.skep.core.discovery to
            io.skep.bench;

    uses io.skep.spi.scheduler.SchedulerStrategy;
    uses io.skep.spi.scheduler.SchedulerFilter;
    uses io.skep.spi.runtime.TaskRuntimeProvider;
    uses io.skep.spi.network.NetworkDriverProvider;

    // Wire types are read and written by Jackson; commands are filled in by picocli.
    opens io.skep.core.store to
            com.fasterxml.jackson.databind;
    opens io.skep.core.ca to
            com.fasterxml.jackson.databind;
    opens io.skep.core.cluster to
            com.fasterxml.jackson.databind;
    opens io.skep.core.dispatcher to
            com.fasterxml.jackson.databind;
    opens io.skep.core.node to
            info.picocli; // skep daemon's flags
}
