package io.skep.cli;

import io.netty.handler.ssl.SslContext;
import io.skep.client.ControlTls;
import io.skep.client.DaemonAddress;
import io.skep.client.DaemonClient;
import java.io.Console;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLException;

/**
 * What one CLI invocation works with: its output streams, environment and clock, whether stdout is a terminal,
 * and (lazily) the client for the daemon named by {@code -H}, {@code $SKEP_HOST} or the default socket, over TLS
 * as the TLS flags and variables say.
 */
public final class CliContext implements AutoCloseable {

    final PrintStream out;
    final PrintStream err;
    public final Map<String, String> env;
    final Clock clock;
    final boolean tty;
    /** How often service progress polls the daemon (the docker CLI: 200 ms). */
    final Duration pollInterval = Duration.ofMillis(200);
    /** The value of the top-level {@code -H/--host}, or {@code null}. */
    String hostOption;
    /** The top-level TLS flags. */
    TlsFlags tlsFlags = new TlsFlags();
    /** Where commands that read input read it ({@code swarm unlock}); tests give their own. */
    java.io.InputStream in = System.in;

    private DaemonClient client;

    public CliContext(PrintStream out, PrintStream err, Map<String, String> env, Clock clock, boolean tty) {
        this.out = out;
        this.err = err;
        this.env = Map.copyOf(env);
        this.clock = clock;
        this.tty = tty;
    }

    /** Gives the commands that read input ({@code swarm unlock}) {@code in} instead of standard input. */
    public void input(java.io.InputStream in) {
        this.in = in;
    }

    /** The context of a real process: System streams and environment, UTC clock, terminal detection. */
    public static CliContext system() {
        return new CliContext(System.out, System.err, System.getenv(), Clock.systemUTC(), stdoutIsTerminal());
    }

    /** The daemon address this invocation talks to. */
    String host() {
        return DaemonAddress.resolveHost(hostOption, env);
    }

    DaemonClient client() {
        if (client == null) {
            DaemonAddress address;
            try {
                address = DaemonAddress.parse(host());
            } catch (IllegalArgumentException e) {
                throw new CliException(e.getMessage());
            }
            client = new DaemonClient(
                    address,
                    "skep-cli/" + SkepVersion.get(),
                    DaemonClient.RESPONSE_TIMEOUT,
                    address.isUnix() ? null : tlsContext());
        }
        return client;
    }

    /** The client's TLS context for a tcp:// daemon, or null for plaintext. */
    private SslContext tlsContext() {
        try {
            ControlTls tls = tlsFlags.client(env);
            return tls == null ? null : tls.client();
        } catch (IllegalArgumentException | SSLException e) {
            throw new CliException(e.getMessage());
        }
    }

    /** Terminal width for progress bars: {@code $COLUMNS}, else 80. */
    int terminalWidth() {
        try {
            return Integer.parseInt(env.getOrDefault("COLUMNS", "80").trim());
        } catch (NumberFormatException e) {
            return 80;
        }
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
            client = null;
        }
        out.flush();
        err.flush();
    }

    private static boolean stdoutIsTerminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            // Java 22+: System.console() may exist while stdout is redirected; ask it.
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (ReflectiveOperationException e) {
            return true; // Java 21: a console exists only for an interactive terminal
        }
    }
}
