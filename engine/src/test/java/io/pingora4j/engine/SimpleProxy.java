package io.pingora4j.engine;

import io.pingora4j.spi.HttpPeer;
import io.pingora4j.spi.ProxyError;
import io.pingora4j.spi.ProxyHttp;
import io.pingora4j.spi.Session;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A proxy to one peer that records every logging call, for tests. */
class SimpleProxy implements ProxyHttp<Object> {

    final HttpPeer peer;
    final List<String> logged = new CopyOnWriteArrayList<>();

    SimpleProxy(HttpPeer peer) {
        this.peer = peer;
    }

    SimpleProxy(int port) {
        this(HttpPeer.of("127.0.0.1", port));
    }

    @Override
    public Object newCtx() {
        return new Object();
    }

    @Override
    public HttpPeer upstreamPeer(Session session, Object ctx) {
        return peer;
    }

    @Override
    public void logging(Session session, ProxyError error, Object ctx) {
        int status = session.response() == null ? 0 : session.response().status();
        logged.add(session.request().methodName() + " " + session.request().target() + " " + status
                + (error == null ? "" : " " + error.kind()));
    }
}
