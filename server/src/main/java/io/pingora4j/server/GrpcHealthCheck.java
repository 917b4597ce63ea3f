package io.pingora4j.server;

import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.codec.h2.H2Connection;
import io.pingora4j.codec.h2.H2Exception;
import io.pingora4j.codec.h2.H2FrameSink;
import io.pingora4j.codec.h2.H2Limits;
import io.pingora4j.codec.h2.H2Listener;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One gRPC health check ({@code grpc.health.v1.Health/Check}, the standard health service) over
 * a connected socket speaking HTTP/2 (h2c, or TLS that negotiated "h2"): the backend passes when
 * the call ends with grpc-status 0 and the service is SERVING. The request and the response are
 * the protobuf messages written by hand (a string field 1; an enum field 1), so no generated code
 * is needed. Blocking: only the health checker's thread runs it.
 *
 * <p>Not thread-safe: one instance per check.
 */
final class GrpcHealthCheck implements H2Listener, H2FrameSink {

    static final String PATH = "/grpc.health.v1.Health/Check";
    /** HealthCheckResponse.ServingStatus.SERVING. */
    private static final int SERVING = 1;

    private final ByteBuffer out = ByteBuffer.allocate(64 * 1024);
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private H2Connection h2;
    private int status;
    private String grpcStatus;
    private boolean ended;

    private GrpcHealthCheck() {
    }

    /**
     * Calls Check for {@code service} ("" for the whole server) on {@code socket}, which the
     * caller connected (and set a read timeout on). True when the service is SERVING.
     *
     * @param authority the :authority sent (the check URL's host)
     * @param tls       whether the socket is TLS (the :scheme)
     */
    static boolean check(Socket socket, String authority, String service, boolean tls) throws IOException {
        return new GrpcHealthCheck().run(socket, authority, service, tls);
    }

    private boolean run(Socket socket, String authority, String service, boolean tls) throws IOException {
        h2 = new H2Connection(H2Connection.Role.CLIENT, H2Limits.DEFAULTS, this, this);
        h2.start();
        RequestHead h = new RequestHead();
        h.setMethod("POST");
        h.setTarget(PATH);
        h.headers().add("Host", authority);
        h.headers().add("content-type", "application/grpc");
        h.headers().add("te", "trailers");
        h.headers().add("user-agent", "pingora4j-health-check");
        int id = h2.openStream(h, tls ? "https" : "http", false);
        h2.writeData(id, ByteBuffer.wrap(request(service)), true);
        OutputStream o = socket.getOutputStream();
        flush(o);
        InputStream in = socket.getInputStream();
        byte[] b = new byte[16 * 1024];
        ByteBuffer buf = ByteBuffer.allocate(256 * 1024);
        while (!ended) {
            int n = in.read(b);
            if (n < 0 || h2.failed()) {
                return false;
            }
            if (buf.remaining() < n) {
                return false; // far more than a health answer
            }
            buf.put(b, 0, n).flip();
            h2.receive(buf, System.nanoTime());
            buf.compact();
            flush(o);
        }
        return status == 200 && "0".equals(grpcStatus) && servingStatus(body.toByteArray()) == SERVING;
    }

    /** A gRPC message: uncompressed, its length, and HealthCheckRequest {string service = 1}. */
    static byte[] request(String service) {
        byte[] name = service.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream msg = new ByteArrayOutputStream();
        if (name.length > 0) {
            msg.write(0x0a); // field 1, length-delimited
            writeVarint(msg, name.length);
            msg.writeBytes(name);
        }
        byte[] m = msg.toByteArray();
        byte[] framed = new byte[5 + m.length];
        framed[1] = (byte) (m.length >>> 24);
        framed[2] = (byte) (m.length >>> 16);
        framed[3] = (byte) (m.length >>> 8);
        framed[4] = (byte) m.length;
        System.arraycopy(m, 0, framed, 5, m.length);
        return framed;
    }

    /** HealthCheckResponse {ServingStatus status = 1} out of one gRPC message; 0 (UNKNOWN) if absent or malformed. */
    static int servingStatus(byte[] framed) {
        if (framed.length < 5 || framed[0] != 0) {
            return 0;
        }
        int len = ((framed[1] & 0xff) << 24) | ((framed[2] & 0xff) << 16) | ((framed[3] & 0xff) << 8) | (framed[4] & 0xff);
        if (len < 0 || 5 + len > framed.length) {
            return 0;
        }
        int i = 5;
        int end = 5 + len;
        while (i < end) {
            int tag = framed[i++] & 0xff;
            if (tag == 0x08) { // field 1, varint
                int v = 0;
                for (int shift = 0; i < end && shift < 35; shift += 7) {
                    int x = framed[i++] & 0xff;
                    v |= (x & 0x7f) << shift;
                    if ((x & 0x80) == 0) {
                        return v;
                    }
                }
                return 0;
            }
            return 0; // the response has no other field
        }
        return 0;
    }

    private static void writeVarint(ByteArrayOutputStream o, int v) {
        while ((v & ~0x7f) != 0) {
            o.write((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        o.write(v);
    }

    private void flush(OutputStream o) throws IOException {
        if (out.position() > 0) {
            o.write(out.array(), 0, out.position());
            o.flush();
            out.clear();
        }
    }

    @Override
    public ByteBuffer reserve(int bytes) {
        return out;
    }

    @Override
    public void payload(ByteBuffer data) {
        out.put(data.duplicate());
    }

    @Override
    public void onResponseHeaders(int streamId, ResponseHead head, boolean endStream) {
        if (head.interim()) {
            return;
        }
        status = head.status();
        int i = head.headers().indexOf("grpc-status");
        if (i >= 0) {
            grpcStatus = head.headers().value(i); // trailers-only
        }
        ended |= endStream;
    }

    @Override
    public void onData(int streamId, ByteBuffer data, boolean endStream) {
        int n = data.remaining();
        if (body.size() + n <= 64 * 1024) {
            byte[] b = new byte[n];
            data.duplicate().get(b);
            body.write(b, 0, n);
        }
        h2.consumed(streamId, n);
        ended |= endStream;
    }

    @Override
    public void onTrailers(int streamId, HeaderBlock trailers) {
        int i = trailers.indexOf("grpc-status");
        if (i >= 0) {
            grpcStatus = trailers.value(i);
        }
        ended = true;
    }

    @Override
    public void onStreamReset(int streamId, int errorCode, H2Exception cause) {
        ended = true;
        status = 0;
    }

    @Override
    public void onConnectionError(H2Exception error) {
        ended = true;
        status = 0;
    }
}
