package io.skep.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Docker's {@code TLSInfo} of a swarm and of each node: the root CA certificate (PEM) that nodes trust, and the
 * subject and public key (DER, base64) of the issuer of node certificates.
 */
public class TlsInfo {
    @JsonProperty("TrustRoot")
    public String trustRoot;

    @JsonProperty("CertIssuerSubject")
    public String certIssuerSubject;

    @JsonProperty("CertIssuerPublicKey")
    public String certIssuerPublicKey;
}
