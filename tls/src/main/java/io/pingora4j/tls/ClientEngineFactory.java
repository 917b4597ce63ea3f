package io.pingora4j.tls;

import javax.net.ssl.SSLEngine;

/** Makes the engine for each new TLS connection to an origin. Called on an event loop: must not block. */
public interface ClientEngineFactory {

    /**
     * A client-mode engine for a new connection to {@code host:port}.
     *
     * @param sni the server name to send (not sent if it is an IP literal); also the name the
     *        certificate is checked against when {@code verifyCert}
     * @param verifyCert whether the origin's chain and name must verify
     * @param caFile a PEM bundle trusted besides the system trust store, or null
     */
    SSLEngine newClientEngine(String sni, String host, int port, boolean verifyCert, String caFile);
}
