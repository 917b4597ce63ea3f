/**
 * TLS for the engine, without I/O: the record codec that drives an {@link javax.net.ssl.SSLEngine}
 * over ByteBuffers (the engine's transport feeds it socket bytes), certificates and keys read from
 * PEM, a certificate store that picks a certificate by SNI and can be swapped while serving, the
 * SSLEngine factories for listeners and origins, and ACME issuance.
 */
package io.pingora4j.tls;
