package io.pingora4j.server.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.spi.Action;
import io.pingora4j.spi.FilterChainProxy;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.HttpPeer;
import io.pingora4j.spi.ProxyError;
import io.pingora4j.spi.Session;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** How {@link FilterChainProxy} runs a chain: the contract the server's locations and code-first proxies share. */
class FilterChainProxyTest {

    private static final HttpPeer ORIGIN = HttpPeer.of("127.0.0.1", 9);

    /** Records the phases it sees, and answers or defers in requestFilter when told to. */
    private static final class Recording implements HttpFilter {
        final String name;
        final List<String> seen;
        Action answer = Action.CONTINUE;

        Recording(String name, List<String> seen) {
            this.name = name;
            this.seen = seen;
        }

        @Override
        public void earlyRequestFilter(Session session) {
            seen.add(name + ".early");
        }

        @Override
        public Action requestFilter(Session session) {
            seen.add(name + ".request");
            return answer;
        }

        @Override
        public void responseFilter(Session session, ResponseHead response) {
            seen.add(name + ".response");
        }

        @Override
        public ByteBuffer responseBodyFilter(Session session, ByteBuffer chunk, boolean endOfStream) {
            seen.add(name + ".body");
            return chunk;
        }

        @Override
        public void logging(Session session, ProxyError error) {
            seen.add(name + ".logging");
        }
    }

    @Test
    void everyPhaseRunsTheFiltersInChainOrder() {
        List<String> seen = new ArrayList<>();
        FilterChainProxy<Object> proxy = FilterChainProxy.to(ORIGIN, new Recording("a", seen), new Recording("b", seen));
        FakeSession s = FakeSession.get("/");
        Object ctx = proxy.newCtx();

        proxy.earlyRequestFilter(s, ctx);
        assertSame(Action.CONTINUE, proxy.requestFilter(s, ctx));
        assertSame(ORIGIN, proxy.upstreamPeer(s, ctx));
        proxy.responseFilter(s, new ResponseHead(), ctx);
        proxy.responseBodyFilter(s, ByteBuffer.allocate(1), true, ctx);
        proxy.logging(s, null, ctx);

        assertEquals(List.of("a.early", "b.early", "a.request", "b.request", "a.response", "b.response", "a.body",
                "b.body", "a.logging", "b.logging"), seen);
    }

    @Test
    void theFirstFilterThatRespondsEndsTheRequestPhase() {
        List<String> seen = new ArrayList<>();
        Recording a = new Recording("a", seen);
        a.answer = Action.RESPONDED;
        FilterChainProxy<Object> proxy = FilterChainProxy.to(ORIGIN, a, new Recording("b", seen));

        assertSame(Action.RESPONDED, proxy.requestFilter(FakeSession.get("/"), proxy.newCtx()));
        assertEquals(List.of("a.request"), seen);
    }

    @Test
    void aDeferralResumesWithTheRestOfTheChain() {
        List<String> seen = new ArrayList<>();
        Recording a = new Recording("a", seen);
        CompletableFuture<Action> later = new CompletableFuture<>();
        a.answer = Action.defer(later);
        FilterChainProxy<Object> proxy = FilterChainProxy.to(ORIGIN, a, new Recording("b", seen));

        Action result = proxy.requestFilter(FakeSession.get("/"), proxy.newCtx());
        assertTrue(result.deferred());
        assertEquals(List.of("a.request"), seen);

        later.complete(Action.CONTINUE);
        assertSame(Action.CONTINUE, result.result().toCompletableFuture().join());
        assertEquals(List.of("a.request", "b.request"), seen);
    }

    @Test
    void aDroppedBodyChunkIsNotSeenByTheFiltersAfter() {
        List<String> seen = new ArrayList<>();
        HttpFilter dropper = new HttpFilter() {
            @Override
            public ByteBuffer responseBodyFilter(Session session, ByteBuffer chunk, boolean endOfStream) {
                return null;
            }
        };
        FilterChainProxy<Object> proxy = FilterChainProxy.to(ORIGIN, dropper, new Recording("b", seen));

        assertNull(proxy.responseBodyFilter(FakeSession.get("/"), ByteBuffer.allocate(1), false, proxy.newCtx()));
        assertEquals(List.of(), seen);
    }

    @Test
    void failToProxyStopsAtTheFirstFilterThatAnswers() {
        List<String> asked = new ArrayList<>();
        HttpFilter answers = new HttpFilter() {
            @Override
            public void failToProxy(Session session, ProxyError error) {
                asked.add("answers");
                session.respond(200, "text/plain", "stale".getBytes());
            }
        };
        HttpFilter after = new HttpFilter() {
            @Override
            public void failToProxy(Session session, ProxyError error) {
                asked.add("after");
            }
        };
        FilterChainProxy<Object> proxy = FilterChainProxy.to(ORIGIN, answers, after);
        FakeSession s = FakeSession.get("/");

        proxy.failToProxy(s, ProxyError.status(502, "origin down"), proxy.newCtx());

        assertEquals(List.of("answers"), asked);
        assertEquals("stale", s.respondedBody());
    }

    @Test
    void aFilterWhoseLoggingThrowsDoesNotStopTheOthers() {
        List<String> seen = new ArrayList<>();
        HttpFilter throwing = new HttpFilter() {
            @Override
            public void logging(Session session, ProxyError error) {
                throw new IllegalStateException("boom");
            }
        };
        List<RuntimeException> reported = new ArrayList<>();
        FilterChainProxy<Object> proxy = new FilterChainProxy<>() {
            private final HttpFilter[] chain = {throwing, new Recording("b", seen)};

            @Override
            public Object newCtx() {
                return this;
            }

            @Override
            protected HttpFilter[] filters(Object ctx) {
                return chain;
            }

            @Override
            public HttpPeer upstreamPeer(Session session, Object ctx) {
                return ORIGIN;
            }

            @Override
            protected void loggingFailed(HttpFilter filter, RuntimeException e) {
                reported.add(e);
            }
        };

        proxy.logging(FakeSession.get("/"), null, proxy.newCtx());

        assertEquals(List.of("b.logging"), seen);
        assertEquals("boom", reported.get(0).getMessage());
    }
}
