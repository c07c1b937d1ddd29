/**
 * The client of a skep daemon: HTTP/1.1 over its unix socket or TCP (TLS as the docker CLI's, PEM files read with
 * the JDK alone), Docker-API paths, filters and errors. Needs neither the daemon nor Bouncy Castle.
 */
module io.skep.client {
    requires transitive io.skep.api;
    requires transitive com.fasterxml.jackson.databind;
    requires transitive io.netty.handler;
    requires io.netty.buffer;
    requires io.netty.codec;
    requires transitive io.netty.codec.http;
    requires io.netty.common;
    requires io.netty.transport;

    exports io.skep.client;
}
