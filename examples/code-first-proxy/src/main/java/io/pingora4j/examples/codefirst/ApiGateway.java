package io.pingora4j.examples.codefirst;

import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.engine.Server;
import io.pingora4j.spi.Action;
import io.pingora4j.spi.HttpPeer;
import io.pingora4j.spi.ProxyError;
import io.pingora4j.spi.ProxyHttp;
import io.pingora4j.spi.Session;
import java.nio.charset.StandardCharsets;

/**
 * A code-first proxy: no configuration file, just Java. Requests under {@code /api/} go to the
 * API origin with the prefix stripped, everything else to the web origin; {@code /healthz} is
 * answered by the proxy itself; every response gets an {@code X-Gateway} header.
 *
 * <pre>
 *   java -cp ... io.pingora4j.examples.codefirst.ApiGateway 127.0.0.1:8080 127.0.0.1:9001 127.0.0.1:9002
 * </pre>
 */
public final class ApiGateway implements ProxyHttp<ApiGateway.Ctx> {

    private static final byte[] OK = "ok\n".getBytes(StandardCharsets.US_ASCII);

    private final HttpPeer api;
    private final HttpPeer web;

    /** Per-request state: which origin the request goes to. */
    public static final class Ctx {
        HttpPeer peer;
    }

    public ApiGateway(HttpPeer api, HttpPeer web) {
        this.api = api;
        this.web = web;
    }

    @Override
    public Ctx newCtx() {
        return new Ctx();
    }

    @Override
    public Action requestFilter(Session session, Ctx ctx) {
        String path = session.request().path();
        if (path.equals("/healthz")) {
            session.respond(200, "text/plain", OK);
            return Action.RESPONDED;
        }
        ctx.peer = path.startsWith("/api/") ? api : web;
        return Action.CONTINUE;
    }

    @Override
    public HttpPeer upstreamPeer(Session session, Ctx ctx) {
        return ctx.peer;
    }

    @Override
    public void upstreamRequestFilter(Session session, RequestHead upstream, Ctx ctx) {
        if (ctx.peer == api) {
            upstream.setTarget(session.request().pathAndQuery().substring("/api".length()));
        }
    }

    @Override
    public void responseFilter(Session session, ResponseHead response, Ctx ctx) {
        response.headers().set("X-Gateway", "code-first");
    }

    @Override
    public void logging(Session session, ProxyError error, Ctx ctx) {
        if (error != null) {
            System.err.println(session.request().methodName() + " " + session.request().target() + " failed: " + error);
        }
    }

    /** Starts the gateway: {@code LISTEN API_ORIGIN WEB_ORIGIN}, each host:port. */
    public static void main(String[] args) {
        if (args.length != 3) {
            System.err.println("usage: ApiGateway LISTEN API_ORIGIN WEB_ORIGIN   (each host:port)");
            System.exit(2);
        }
        Server server = Server.builder()
                .listen(args[0], new ApiGateway(peer(args[1]), peer(args[2])))
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        System.out.println("gateway on " + server.addresses());
    }

    private static HttpPeer peer(String hostPort) {
        var a = Server.Builder.parseAddress(hostPort);
        return HttpPeer.of(a.getHostString(), a.getPort());
    }
}
