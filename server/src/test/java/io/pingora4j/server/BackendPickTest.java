package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pingora4j.lb.RequestKeyView;
import io.pingora4j.server.config.ConfigLoader;
import io.pingora4j.spi.HttpPeer;
import io.pingora4j.spi.ProxyError;
import org.junit.jupiter.api.Test;

/** A request's tries over its upstream's backends. */
class BackendPickTest {

    private static UpstreamGroup group() throws Exception {
        return new UpstreamGroup(ConfigLoader.parse("[upstreams.u]\naddrs = [\"127.0.0.1:9001\"]\nalpn = \"h2\"\n",
                "test.toml").upstreams().get("u"));
    }

    private static final RequestKeyView ANY = new RequestKeyView() {
    };

    @Test
    void aTriedBackendIsNotPickedAgain() throws Exception {
        UpstreamGroup g = group();
        BackendPick pick = new BackendPick();
        pick.choose(g, ANY);
        pick.connectFailed(g, ProxyError.of(ProxyError.Source.UPSTREAM, ProxyError.Kind.CONNECT_REFUSED, "refused"), 3);
        ProxyError e = assertThrows(ProxyError.class, () -> pick.choose(g, ANY));
        assertEquals(ProxyError.Kind.NO_UPSTREAM, e.kind());
    }

    @Test
    void aBackendThatRefusedTheStreamUnprocessedMayBePickedAgain() throws Exception {
        UpstreamGroup g = group();
        BackendPick pick = new BackendPick();
        HttpPeer first = pick.choose(g, ANY);
        pick.refused();
        assertSame(first, pick.choose(g, ANY), "GOAWAY or REFUSED_STREAM: the same origin takes the retry");
        assertEquals(1, g.status().get(0).inFlight(), "the refused try is not left in flight");
    }
}
