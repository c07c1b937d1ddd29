package io.skep.client;

import io.netty.handler.ssl.NotSslRecordException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * A TLS connection to a daemon that failed, said in one sentence for the user: which end refused what, and what to
 * check. The JDK's own words stay in the exception's cause chain.
 */
final class TlsFailure {
    /** How the JDK reports an alert the server sent: {@code Received fatal alert: certificate_required}. */
    private static final Pattern ALERT = Pattern.compile("Received fatal alert: (\\w+)");

    private TlsFailure() {}

    /** Whether {@code failure} is about TLS (Netty wraps what fails while reading in a decoder exception). */
    static boolean isTls(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SSLException) {
                return true;
            }
        }
        return false;
    }

    static String describe(DaemonAddress address, Throwable failure) {
        return "error during connect: TLS with the skep daemon at " + address + " failed: " + reason(failure);
    }

    /** The most telling cause: the JDK wraps one in several, and a validation failure in a vaguer one. */
    private static String reason(Throwable failure) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = failure; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        for (Throwable t : chain) {
            if (t instanceof NotSslRecordException) {
                return "it does not speak TLS there (server gave HTTP response to HTTPS client); "
                        + "leave out --tls and --tlsverify";
            }
            if (t instanceof CertificateExpiredException || t instanceof CertificateNotYetValidException) {
                return "its certificate is not valid now (" + t.getMessage() + ")";
            }
        }
        for (Throwable t : chain) {
            String message = t.getMessage() == null ? "" : t.getMessage();
            if (message.startsWith("No subject alternative") || message.startsWith("No name matching")) {
                return "its certificate is not valid for the host dialled (" + message + ")";
            }
            if (t instanceof CertPathBuilderException || t instanceof CertPathValidatorException) {
                return "its certificate is not signed by the CA of --tlscacert (certificate signed by unknown "
                        + "authority)";
            }
            Matcher alert = ALERT.matcher(message);
            if (alert.find()) {
                return refusal(alert.group(1).toLowerCase(Locale.ROOT));
            }
        }
        String message = failure.getMessage();
        return message == null || message.isBlank() ? failure.toString() : message;
    }

    /** What the server's alert says about this client. */
    private static String refusal(String alert) {
        return switch (alert) {
            case "certificate_required" ->
                "it requires a client certificate (remote error: certificate required); "
                        + "give --tlscert and --tlskey, or put cert.pem and key.pem in $SKEP_CERT_PATH";
            case "bad_certificate",
                    "unknown_ca",
                    "certificate_unknown",
                    "certificate_expired",
                    "certificate_revoked",
                    "unsupported_certificate",
                    "decrypt_error",
                    "access_denied" ->
                "it refused this client's certificate (remote error: " + alert.replace('_', ' ')
                        + "); is it signed by the daemon's CA (--tlscacert of skep daemon), and valid now?";
            default -> "remote error: " + alert.replace('_', ' ');
        };
    }
}
