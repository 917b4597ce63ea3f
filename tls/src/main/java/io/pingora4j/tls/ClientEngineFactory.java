package io.pingora4j.tls;

import java.util.List;
import javax.net.ssl.SSLEngine;

/** Makes the engine for each new TLS connection to an origin. Called on an event loop: must not block. */
public interface ClientEngineFactory {

    /**
     * A factory like this one whose engines offer {@code protocols} by ALPN (most preferred first),
     * e.g. ["h2", "http/1.1"] for an origin that may speak HTTP/2. Called at start-up, not per
     * connection. The default ignores the list and returns this factory: the engine then checks
     * what the handshake negotiated.
     */
    default ClientEngineFactory withAlpn(List<String> protocols) {
        return this;
    }

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
