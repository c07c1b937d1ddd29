/*
 * The descriptor of the merged Ratis jar (see ../../../pom.xml). Read by moditect, which compiles it with ASM:
 * it is not checked by javac, so a package or class named here that does not exist only shows when the module
 * is resolved. Start from `jdeps --generate-module-info`, then: drop empty packages from the exports, add the
 * `uses` that jdeps cannot see (ServiceLoader calls), keep `provides` in step with META-INF/services.
 *
 * Open: Ratis and its shaded protobuf/gRPC/Guava reflect over their own classes, and a state machine may be
 * looked at reflectively by tools.
 */
open module org.apache.ratis {
    requires org.slf4j;
    requires java.logging;      // gRPC and Guava log through java.util.logging
    requires java.management;   // metrics JMX reporter, JVM pause monitor
    requires jdk.management;    // Dropwizard JVM metrics (com.sun.management)
    requires java.naming;       // gRPC and Netty DNS resolvers (JNDI lookups, guarded)
    requires jdk.unsupported;   // sun.misc.Unsafe in Netty, Guava and protobuf
    requires static java.sql;   // only Gson's and protobuf-util's java.sql.Timestamp adapters, guarded

    // Ratis itself: everything a state machine, a server or a client may touch.
    exports org.apache.ratis;
    exports org.apache.ratis.client;
    exports org.apache.ratis.client.api;
    exports org.apache.ratis.client.impl;
    exports org.apache.ratis.client.retry;
    exports org.apache.ratis.conf;
    exports org.apache.ratis.datastream;
    exports org.apache.ratis.datastream.impl;
    exports org.apache.ratis.grpc;
    exports org.apache.ratis.grpc.client;
    exports org.apache.ratis.grpc.metrics;
    exports org.apache.ratis.grpc.metrics.intercept.client;
    exports org.apache.ratis.grpc.metrics.intercept.server;
    exports org.apache.ratis.grpc.server;
    exports org.apache.ratis.grpc.util;
    exports org.apache.ratis.io;
    exports org.apache.ratis.metrics;
    exports org.apache.ratis.metrics.impl;
    exports org.apache.ratis.proto;
    exports org.apache.ratis.proto.grpc;
    exports org.apache.ratis.proto.netty;
    exports org.apache.ratis.proto.rmap;
    exports org.apache.ratis.protocol;
    exports org.apache.ratis.protocol.exceptions;
    exports org.apache.ratis.retry;
    exports org.apache.ratis.rpc;
    exports org.apache.ratis.security;
    exports org.apache.ratis.server;
    exports org.apache.ratis.server.impl;
    exports org.apache.ratis.server.leader;
    exports org.apache.ratis.server.metrics;
    exports org.apache.ratis.server.protocol;
    exports org.apache.ratis.server.raftlog;
    exports org.apache.ratis.server.raftlog.memory;
    exports org.apache.ratis.server.raftlog.segmented;
    exports org.apache.ratis.server.storage;
    exports org.apache.ratis.server.util;
    exports org.apache.ratis.statemachine;
    exports org.apache.ratis.statemachine.impl;
    exports org.apache.ratis.util;
    exports org.apache.ratis.util.function;

    // Shaded third-party packages that appear in the signatures of the packages above
    // (Message/ByteString, the gRPC services customizer, TLS and metrics types).
    exports org.apache.ratis.thirdparty.com.google.protobuf;
    exports org.apache.ratis.thirdparty.com.google.common.util.concurrent;
    exports org.apache.ratis.thirdparty.com.google.common.cache;
    exports org.apache.ratis.thirdparty.com.codahale.metrics;
    exports org.apache.ratis.thirdparty.com.codahale.metrics.jmx;
    exports org.apache.ratis.thirdparty.io.grpc;
    exports org.apache.ratis.thirdparty.io.grpc.netty;
    exports org.apache.ratis.thirdparty.io.grpc.protobuf;
    exports org.apache.ratis.thirdparty.io.grpc.stub;
    exports org.apache.ratis.thirdparty.io.netty.buffer;
    exports org.apache.ratis.thirdparty.io.netty.handler.ssl;

    // Looked up with ServiceLoader from inside the module (jdeps does not report these).
    uses org.apache.ratis.metrics.MetricRegistries;
    uses org.apache.ratis.thirdparty.io.grpc.LoadBalancerProvider;
    uses org.apache.ratis.thirdparty.io.grpc.ManagedChannelProvider;
    uses org.apache.ratis.thirdparty.io.grpc.NameResolverProvider;
    uses org.apache.ratis.thirdparty.io.grpc.ServerProvider;
    uses org.apache.ratis.thirdparty.io.netty.bootstrap.ChannelInitializerExtension;

    // The merged META-INF/services files (the BlockHound one is dropped by the shade filter).
    provides org.apache.ratis.metrics.MetricRegistries with
        org.apache.ratis.metrics.impl.MetricRegistriesImpl;
    provides org.apache.ratis.thirdparty.io.grpc.LoadBalancerProvider with
        org.apache.ratis.thirdparty.io.grpc.internal.PickFirstLoadBalancerProvider,
        org.apache.ratis.thirdparty.io.grpc.util.SecretRoundRobinLoadBalancerProvider.Provider,
        org.apache.ratis.thirdparty.io.grpc.util.OutlierDetectionLoadBalancerProvider;
    provides org.apache.ratis.thirdparty.io.grpc.ManagedChannelProvider with
        org.apache.ratis.thirdparty.io.grpc.netty.NettyChannelProvider,
        org.apache.ratis.thirdparty.io.grpc.netty.UdsNettyChannelProvider;
    provides org.apache.ratis.thirdparty.io.grpc.NameResolverProvider with
        org.apache.ratis.thirdparty.io.grpc.netty.UdsNameResolverProvider,
        org.apache.ratis.thirdparty.io.grpc.internal.DnsNameResolverProvider;
    provides org.apache.ratis.thirdparty.io.grpc.ServerProvider with
        org.apache.ratis.thirdparty.io.grpc.netty.NettyServerProvider;
}
