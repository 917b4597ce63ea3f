package io.pingora4j.server;

import io.pingora4j.codec.h2.H2Limits;
import io.pingora4j.tls.ServerEngineFactory;
import javax.net.ssl.SSLEngine;

/**
 * One listening address of the running engine, as a reload sees it: the {@link ProxySwitch} its
 * requests go through, its TLS behind a switch of its own (null: plain), and its HTTP/2 limits
 * (null: HTTP/1.1 only), which are fixed while it listens. A reload that keeps the address's
 * protocols flips both switches; one that changes them (plain to TLS, HTTP/2 on or off, other
 * HTTP/2 limits) closes the listener and opens a new one.
 *
 * @param bound the address the engine bound (as {@code Server.addresses()} names it)
 */
record LiveListener(ProxySwitch proxy, TlsSwitch tls, H2Limits h2, java.net.InetSocketAddress bound) {

    /** Whether a listener for {@code b} speaks what this one does, so the switches can carry it. */
    boolean carries(ServerRuntime.Binding b) {
        return (tls == null) == (b.tls() == null) && java.util.Objects.equals(h2, b.h2());
    }

    /** Serves {@code b} from now on (new connections' TLS, new requests' proxy). */
    void set(ServerRuntime.Binding b) {
        if (tls != null) {
            tls.set(b.tls());
        }
        proxy.set(b.proxy());
    }

    LiveListener withBound(java.net.InetSocketAddress address) {
        return new LiveListener(proxy, tls, h2, address);
    }

    /**
     * The TLS a listener hands each new connection, changeable by a reload (new certificates, versions);
     * connections already open keep their engine. Thread-safe: one volatile reference.
     */
    static final class TlsSwitch implements ServerEngineFactory {
        private volatile ServerEngineFactory current;

        TlsSwitch(ServerEngineFactory first) {
            this.current = first;
        }

        void set(ServerEngineFactory next) {
            current = next;
        }

        @Override
        public SSLEngine newServerEngine() {
            return current.newServerEngine();
        }
    }
}
