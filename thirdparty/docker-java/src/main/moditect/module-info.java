/*
 * The descriptor of the merged docker-java jar (see ../../../pom.xml). Read by moditect, which compiles it with ASM:
 * it is not checked by javac, so a package or class named here that does not exist only shows when the module is
 * resolved (the build resolves it in the verify phase). Started from `jdeps --generate-module-info`, then: only
 * docker-java's own packages exported, the optional parts `static`.
 *
 * Open: Jackson reads and writes docker-java's model classes by reflection, and JNA reflects over its structures
 * and loads its native library from the jar (com/sun/jna/linux-<arch>/libjnidispatch.so).
 *
 * No `uses` or `provides`: none of the merged code left after minimisation calls ServiceLoader (commons-compress's
 * archive and compressor lookups are not reachable from docker-java), and the jar has no META-INF/services.
 */
open module com.github.dockerjava {
    requires transitive com.fasterxml.jackson.annotation; // on the model classes of the API
    requires transitive com.fasterxml.jackson.databind;   // DockerClientConfig and the object mapper
    requires transitive org.slf4j;                        // (logging; no types of it in the API)
    requires java.logging;                                // Guava and JNA log through java.util.logging
    requires jdk.unsupported;                             // sun.misc.Unsafe in Guava (with fallbacks) and JNA

    // JNA's helpers for AWT windows (Native.getComponentID and kin), never called by docker-java.
    requires static java.desktop;
    // Kerberos and SPNEGO authentication of the merged HttpClient 5, only for a proxy or engine that asks for it.
    requires static java.security.jgss;
    // Reading the PEM certificates and key of a TLS-protected TCP engine (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH):
    // docker-java's LocalDirectorySSLConfig. Read where the image holds Bouncy Castle (a static requirement still
    // gives readability when the module is resolved for another reason).
    requires static org.bouncycastle.pkix;
    requires static org.bouncycastle.provider;

    exports com.github.dockerjava.api;
    exports com.github.dockerjava.api.async;
    exports com.github.dockerjava.api.command;
    exports com.github.dockerjava.api.exception;
    exports com.github.dockerjava.api.model;
    exports com.github.dockerjava.core;
    exports com.github.dockerjava.core.async;
    exports com.github.dockerjava.core.command;
    exports com.github.dockerjava.core.dockerfile;
    exports com.github.dockerjava.core.exception;
    exports com.github.dockerjava.core.exec;
    exports com.github.dockerjava.core.util;
    exports com.github.dockerjava.transport;
    exports com.github.dockerjava.zerodep;
}
