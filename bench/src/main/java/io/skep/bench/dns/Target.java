package io.skep.bench.dns;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Where a leg's generator runs and what it asks.
 *
 * @param namespace the network namespace the generator joins ({@code nsenter --net=}this)
 * @param server    the DNS server, as seen from that namespace
 * @param name      the name asked for
 * @param expect    the address its A record holds
 * @param serverCpu the server process's CPU time so far (null when unknown)
 */
record Target(
        Path namespace, InetSocketAddress server, String name, InetAddress expect, Supplier<Duration> serverCpu) {}
