package io.skep.bench.fuzz;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * Where a fuzzed request goes: the control API (plain HTTP on loopback TCP), or the cluster port over TLS without a
 * client certificate, with a worker's certificate, or in plaintext (which the port must refuse).
 *
 * @param tls the client's TLS context, or null for plaintext
 */
record Target(String name, String host, int port, SSLContext tls) {

    /** A connected socket, its TLS handshake done; reads time out after {@code timeout}. */
    Socket open(Duration timeout) throws IOException {
        Socket s = tls == null ? new Socket() : tls.getSocketFactory().createSocket();
        s.connect(new InetSocketAddress(host, port), (int) Duration.ofSeconds(5).toMillis());
        s.setSoTimeout((int) timeout.toMillis());
        if (s instanceof SSLSocket ssl) {
            ssl.startHandshake();
        }
        return s;
    }

    /** What a client puts in its {@code Host} header for this target. */
    String hostHeader() {
        return host + ":" + port;
    }

    @Override
    public String toString() {
        return name;
    }
}
