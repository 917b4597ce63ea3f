/**
 * TLS for the engine, without I/O: the record codec that drives an {@link javax.net.ssl.SSLEngine}
 * over ByteBuffers (the engine's transport feeds it socket bytes), certificates and keys read from
 * PEM, a certificate store that picks a certificate by SNI and can be swapped while serving, the
 * SSLEngine factories for listeners and origins, and ACME issuance.
 *
 * <p>Engines come from BoringSSL (netty-tcnative through netty-handler's OpenSSL SSLEngine, the
 * {@code Native*} classes, loaded only when used) or from the JDK ({@link io.pingora4j.tls.TlsProvider});
 * session tickets are encrypted under {@link io.pingora4j.tls.SessionTicketKeys}, and
 * {@link io.pingora4j.tls.TlsHandshakes} counts full and resumed handshakes.
 */
package io.pingora4j.tls;
