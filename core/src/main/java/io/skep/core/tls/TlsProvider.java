package io.skep.core.tls;

import java.security.Provider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSSE provider of node-to-node TLS: Conscrypt (BoringSSL) where its module is in the image and its native
 * library loads on this machine, the JDK's own otherwise. {@code -Dskep.tls.provider=jdk} asks for the JDK's.
 */
public final class TlsProvider {
    private static final Logger LOG = LoggerFactory.getLogger(TlsProvider.class);
    /** Conscrypt's provider, or null for the JDK's. */
    private static final Provider CONSCRYPT = load();

    private TlsProvider() {}

    private static Provider load() {
        if ("jdk".equalsIgnoreCase(System.getProperty("skep.tls.provider", ""))) {
            return null;
        }
        try {
            if (!org.conscrypt.Conscrypt.isAvailable()) {
                LOG.info("Conscrypt's native library does not load here: TLS runs on the JDK's JSSE");
                return null;
            }
            // Conscrypt's own trust manager: the JDK's fails under Conscrypt's TLS 1.3 (google/conscrypt#1033).
            return org.conscrypt.Conscrypt.newProviderBuilder()
                    .provideTrustManager(true)
                    .build();
        } catch (LinkageError notInImage) {
            return null; // the module is not in this image (requires static)
        }
    }

    /** Conscrypt's provider, or null when TLS runs on the JDK's. */
    public static Provider conscrypt() {
        return CONSCRYPT;
    }

    /** What {@code skep info} says: {@code Conscrypt 2.5.2 (BoringSSL)} or {@code JDK (SunJSSE)}. */
    public static String describe() {
        if (CONSCRYPT == null) {
            return "JDK (SunJSSE)";
        }
        org.conscrypt.Conscrypt.Version v = org.conscrypt.Conscrypt.version();
        return "Conscrypt " + v.major() + "." + v.minor() + "." + v.patch() + " (BoringSSL)";
    }
}
