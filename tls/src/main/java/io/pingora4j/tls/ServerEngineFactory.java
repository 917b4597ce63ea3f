package io.pingora4j.tls;

import javax.net.ssl.SSLEngine;

/** Makes the engine for each connection a TLS listener accepts. Called on an event loop: must not block. */
public interface ServerEngineFactory {

    /** A server-mode engine for one accepted connection. */
    SSLEngine newServerEngine();
}
