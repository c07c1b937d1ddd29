/*
 * The descriptor of Conscrypt's jar for skep (see ../../../pom.xml), from `jdeps --generate-module-info`. Read by
 * moditect, not javac. Open: Conscrypt finds its native library among its own resources and reflects over the JDK's
 * and its own classes. One method (org.conscrypt.Platform.oidToAlgorithmName) calls a JDK internal,
 * sun.security.x509.AlgorithmId, and falls back on IllegalAccessError: nothing to export to it.
 *
 * The `provides` makes the module resolve wherever it is in an image (java.base uses java.security.Provider), so that
 * skep's core, which only `requires static` it, reads it when it is there and runs without it when it is not.
 */
open module org.conscrypt {
    requires java.logging;

    exports org.conscrypt;
    exports org.conscrypt.ct;
    exports org.conscrypt.io;

    provides java.security.Provider with org.conscrypt.OpenSSLProvider;
}
