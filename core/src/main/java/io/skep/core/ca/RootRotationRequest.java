package io.skep.core.ca;

import io.skep.api.model.Cluster;
import io.skep.core.pki.RootCa;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a swarm update asks of the root CA ({@code Spec.CAConfig}), as Swarm reads it: a new {@code ForceRotate}
 * value, or a {@code SigningCACert} and {@code SigningCAKey} other than the swarm's root, starts a root rotation
 * (a new root, made here or the operator's, cross-signed by the current one); external CAs are refused, since skep
 * signs its nodes' certificates itself. The signing key is never kept in the spec: it goes to the rotation.
 */
public final class RootRotationRequest {
    private RootRotationRequest() {}

    /**
     * Applies {@code next}'s CA settings against {@code current}: starts (or restarts) a rotation on {@code next} when
     * one is asked for, and takes the signing certificate and key out of its spec.
     *
     * @throws IllegalArgumentException naming the field, for settings skep does not act on or cannot use
     */
    public static void apply(Cluster current, Cluster next, SecureRandom random, Instant now) {
        Map<String, Object> caConfig = caConfig(next);
        Object external = caConfig.get("ExternalCAs");
        if (external instanceof java.util.Collection<?> list && !list.isEmpty()) {
            throw new IllegalArgumentException("invalid CAConfig.ExternalCAs: skep signs node certificates itself and "
                    + "has no external CA; rotate to a root of your own with --ca-cert and --ca-key");
        }
        String cert = text(caConfig.remove("SigningCACert"), "CAConfig.SigningCACert");
        String key = text(caConfig.remove("SigningCAKey"), "CAConfig.SigningCAKey");
        if (key != null && cert == null) {
            throw new IllegalArgumentException("invalid CAConfig.SigningCAKey: it goes with a CAConfig.SigningCACert");
        }
        if (cert != null && key == null) {
            throw new IllegalArgumentException(
                    "invalid CAConfig.SigningCACert: skep signs node certificates itself, so "
                            + "the root's key (CAConfig.SigningCAKey) is needed too");
        }
        long forceRotate = number(caConfig.get("ForceRotate"));
        long lastForced = current.lastForcedRotation == null ? 0 : current.lastForcedRotation;
        boolean newCert = cert != null
                && !samePem(cert, current.rootCa.caCert)
                && (current.rootRotation == null || !samePem(cert, current.rootRotation.caCert));
        if (forceRotate == lastForced && !newCert) {
            return;
        }
        RootCa root = cert != null ? RootCa.provided(cert, key, now) : RootCa.createNext(random, now);
        RootCa signing = RootCa.fromPem(current.rootCa.caCert, current.rootCa.caKey);
        Cluster.RootRotation rotation = new Cluster.RootRotation();
        rotation.caCert = root.certificatePem();
        rotation.caKey = root.keyPem();
        rotation.crossSignedCaCert = io.skep.core.pki.NodeCertificate.pemOf(signing.crossSign(root, random, now));
        next.rootRotation = rotation;
        next.rootRotationInProgress = true;
        next.lastForcedRotation = forceRotate;
        next.tlsInfo = CertificateAuthority.tlsInfo(rotation.caCert);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> caConfig(Cluster next) {
        Object section = next.spec.other().get("CAConfig");
        Map<String, Object> copy =
                section instanceof Map<?, ?> m ? new LinkedHashMap<>((Map<String, Object>) m) : new LinkedHashMap<>();
        next.spec.other("CAConfig", copy);
        return copy;
    }

    private static String text(Object value, String field) {
        if (value == null || (value instanceof String s && s.isBlank())) {
            return null;
        }
        if (!(value instanceof String s)) {
            throw new IllegalArgumentException("invalid " + field + ": expected PEM text");
        }
        return s;
    }

    private static long number(Object value) {
        if (value == null) {
            return 0;
        }
        if (!(value instanceof Number n) || n.longValue() < 0) {
            throw new IllegalArgumentException(
                    "invalid CAConfig.ForceRotate: expected a counter (a whole number " + "from 0), got " + value);
        }
        return n.longValue();
    }

    private static boolean samePem(String a, String b) {
        return a.strip().equals(b.strip());
    }
}
