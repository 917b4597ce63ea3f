package io.pingora4j.spi;

/**
 * What the TLS handshake of a client connection settled on. One per connection, made when its
 * handshake completes; every request on the connection sees the same instance.
 *
 * @param version       the protocol, as the JDK names it: "TLSv1.3", "TLSv1.2"
 * @param cipherSuite   the suite's standard name, e.g. "TLS_AES_128_GCM_SHA256"
 * @param alpn          the protocol chosen by ALPN ("http/1.1"), or null if the client offered none
 * @param serverName    the server name the client asked for (SNI), or null if it sent none
 * @param clientSubject the subject of the client's certificate (RFC 2253 form, e.g.
 *                      "CN=alice,O=Example") when the client presented one (mTLS), else null
 */
public record TlsInfo(String version, String cipherSuite, String alpn, String serverName, String clientSubject) {
}
