package io.pingora4j.engine;

import io.pingora4j.codec.h1.BodyFraming;
import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.KnownHeader;
import io.pingora4j.codec.h1.MessageHead;
import io.pingora4j.codec.h1.RequestHead;

/**
 * The head sent to the origin: the client's head without hop-by-hop fields, as HTTP/1.1, with
 * what the options add (X-Forwarded-*), before {@code upstreamRequestFilter} edits it. One per
 * session, rebuilt for every attempt.
 *
 * <p>Not thread-safe: owned by one event loop.
 */
final class UpstreamRequest {

    final RequestHead head = new RequestHead();
    /** The client asked for a WebSocket: Upgrade and {@code Connection: Upgrade} are forwarded. */
    boolean websocket;
    /** The client sent {@code TE: trailers}: the origin is told so, and its trailers are passed on. */
    boolean clientTakesTrailers;

    void build(RequestHead request, EngineOptions o, String clientIp, String scheme) {
        RequestHead u = head;
        u.copyFrom(request);
        HeaderBlock h = u.headers();
        websocket = HopByHop.isWebSocketUpgrade(request);
        clientTakesTrailers = HopByHop.takesTrailers(request.headers());
        HopByHop.strip(h, websocket, false);
        for (int i = h.size() - 1; i >= 0; i--) {
            if (h.nameEquals(i, "HTTP2-Settings")) {
                h.remove(i); // an h2c upgrade is never forwarded (h2c smuggling)
            }
        }
        if (websocket) {
            h.add("Connection", "Upgrade");
        }
        if (clientTakesTrailers) {
            h.add("TE", "trailers"); // the origin may send trailers: we pass them on
        }
        u.setVersion(MessageHead.HTTP_1_1);
        if (request.targetForm() == RequestHead.TargetForm.ABSOLUTE) {
            u.setTarget(request.pathAndQuery());
            h.set("Host", request.authority());
        }
        if (o.xForwardedFor()) {
            int i = h.indexOf("X-Forwarded-For");
            h.set("X-Forwarded-For", i < 0 ? clientIp : h.value(i) + ", " + clientIp);
        }
        if (o.xForwardedProto()) {
            h.set("X-Forwarded-Proto", scheme);
        }
        if (o.xForwardedHost()) {
            String host = request.authority();
            if (host != null) {
                h.set("X-Forwarded-Host", host);
            }
        }
        if (request.framing() == BodyFraming.CHUNKED) {
            u.setChunked();
        }
        if (request.expectContinue()) {
            h.removeKind(KnownHeader.EXPECT); // the proxy answers 100 itself
        }
    }
}
