package io.pingora4j.engine;

import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.spi.HttpPeer;
import io.pingora4j.spi.Session;
import io.pingora4j.spi.TlsInfo;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * What filters read of a request through {@link Session}: who sent it and how, what it is (a
 * gRPC call?), where it went, what was answered, and the attributes filters pass along. The
 * state machine that fills these fields, and answers the rest of {@link Session}, is
 * {@link ProxySession}.
 *
 * <p>Not thread-safe: owned by one event loop.
 */
abstract class SessionView implements Session {

    Downstream down;
    RequestHead request;
    ResponseHead response;
    HttpPeer peer;
    boolean upstreamReused;
    /** The upstream TCP connect and TLS handshake of the attempt that served the request; -1: none (reused). */
    long upstreamConnectNanos = -1;
    long upstreamTlsNanos = -1;
    long startNanos;
    Map<String, Object> attributes;
    long requestBodyBytes;
    long responseBodyBytes;
    final GrpcCall grpc = new GrpcCall();

    SessionView(Downstream down) {
        this.down = down;
    }

    @Override
    public Executor executor() {
        return down.loop();
    }

    @Override
    public RequestHead request() {
        return request;
    }

    @Override
    public InetSocketAddress clientAddress() {
        return down.remote();
    }

    @Override
    public String clientIp() {
        return down.clientIp();
    }

    @Override
    public InetSocketAddress serverAddress() {
        return down.local();
    }

    @Override
    public String scheme() {
        return down.tls() == null ? "http" : "https";
    }

    @Override
    public TlsInfo tls() {
        return down.tls();
    }

    @Override
    public String protocol() {
        return down.protocol();
    }

    @Override
    public int streamId() {
        return down.streamId();
    }

    @Override
    public int requestNumber() {
        return down.requestNumber();
    }

    @Override
    public boolean grpc() {
        return grpc.active();
    }

    @Override
    public String grpcService() {
        return grpc.service();
    }

    @Override
    public String grpcMethod() {
        return grpc.method();
    }

    @Override
    public long startNanos() {
        return startNanos;
    }

    @Override
    public Object attribute(String name) {
        return attributes == null ? null : attributes.get(name);
    }

    @Override
    public void setAttribute(String name, Object value) {
        if (attributes == null) {
            attributes = new HashMap<>(8);
        }
        attributes.put(name, value);
    }

    @Override
    public ResponseHead response() {
        return response;
    }

    @Override
    public HttpPeer peer() {
        return peer;
    }

    @Override
    public boolean upstreamReused() {
        return upstreamReused;
    }

    @Override
    public long upstreamConnectNanos() {
        return upstreamConnectNanos;
    }

    @Override
    public long upstreamTlsHandshakeNanos() {
        return upstreamTlsNanos;
    }

    @Override
    public long responseBodyBytes() {
        return responseBodyBytes;
    }

    @Override
    public long requestBodyBytes() {
        return requestBodyBytes;
    }
}
