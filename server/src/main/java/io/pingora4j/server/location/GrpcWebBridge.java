package io.pingora4j.server.location;

import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.spi.Action;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.ProxyError;
import io.pingora4j.spi.Session;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * The gRPC-web bridge (PROTOCOL-WEB.md in grpc/grpc; Pingap's {@code grpc_web} location with the
 * server's {@code modules = ["grpc-web"]}): a browser's gRPC-web call, over HTTP/1.1 or HTTP/2,
 * goes to the origin as gRPC, and the origin's answer comes back as gRPC-web.
 *
 * <ul>
 *   <li>{@code application/grpc-web} and {@code application/grpc-web+proto} (binary): the messages
 *       are framed as gRPC's, so the body passes through; {@code application/grpc-web-text}
 *       ({@code +proto}): the body is base64, decoded on the way up and encoded on the way down
 *       (each chunk padded on its own, which the protocol allows).</li>
 *   <li>Up: Content-Type becomes {@code application/grpc} (with the same {@code +format}) and
 *       {@code te: trailers} is sent, as gRPC requires.</li>
 *   <li>Down: Content-Type becomes the client's own again, and the origin's trailers (grpc-status,
 *       grpc-message, metadata) become the trailer frame at the end of the body (flag 0x80, then
 *       "name: value" lines); a trailers-only answer keeps its status in the head, which
 *       gRPC-web clients read there.</li>
 * </ul>
 * Other requests pass untouched. CORS preflight is the {@code cors} plugin's. Per-request state
 * lives in a session attribute.
 *
 * <p>Immutable and thread-safe: one instance serves every loop.
 */
public final class GrpcWebBridge implements HttpFilter {

    static final String ATTRIBUTE = "pingora4j.grpc-web";
    private static final String WEB = "application/grpc-web";
    private static final String GRPC = "application/grpc";
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    /** One call being bridged. */
    private static final class Call {
        final boolean text;
        /** The client's Content-Type, without parameters: the answer carries the same. */
        final String contentType;
        /** base64 characters of the request that do not make a whole quantum yet. */
        final byte[] quantum = new byte[4];
        int quantumLength;
        /** The origin's trailers as a gRPC-web frame, sent as the last bytes of the body. */
        byte[] trailerFrame;

        Call(boolean text, String contentType) {
            this.text = text;
            this.contentType = contentType;
        }
    }

    @Override
    public Action requestFilter(Session session) {
        RequestHead r = session.request();
        int i = r.headers().indexOf("content-type");
        if (i < 0) {
            return Action.CONTINUE;
        }
        String ct = r.headers().value(i).toLowerCase(Locale.ROOT);
        if (ct.startsWith(WEB)) {
            int semi = ct.indexOf(';');
            session.setAttribute(ATTRIBUTE, new Call(ct.startsWith(WEB + "-text"),
                    (semi < 0 ? ct : ct.substring(0, semi)).strip()));
        }
        return Action.CONTINUE;
    }

    private static Call call(Session session) {
        Object c = session.attribute(ATTRIBUTE);
        return c instanceof Call call ? call : null;
    }

    /** "+proto" of "application/grpc-web-text+proto; charset=..." (empty when there is none). */
    private static String format(String contentType, String prefix) {
        String rest = contentType.substring(prefix.length());
        int semi = rest.indexOf(';');
        if (semi >= 0) {
            rest = rest.substring(0, semi);
        }
        rest = rest.strip();
        return rest.startsWith("+") ? rest : "";
    }

    @Override
    public void upstreamRequestFilter(Session session, RequestHead upstream) {
        Call c = call(session);
        if (c == null) {
            return;
        }
        HeaderBlock h = upstream.headers();
        String ct = h.value(h.indexOf("content-type")).toLowerCase(Locale.ROOT);
        String format = format(ct, c.text ? WEB + "-text" : WEB);
        h.set("content-type", GRPC + format);
        h.set("te", "trailers");
        if (c.text) {
            upstream.setChunked(); // decoding changes the length: the origin reads to the end of the stream
        }
    }

    @Override
    public ByteBuffer requestBodyFilter(Session session, ByteBuffer chunk, boolean endOfStream) {
        Call c = call(session);
        if (c == null || !c.text) {
            return chunk;
        }
        ByteBuffer out = decode(c, chunk);
        if (endOfStream && c.quantumLength != 0) {
            throw ProxyError.status(400, "gRPC-web text body ends inside a base64 quantum");
        }
        return out;
    }

    /**
     * Decodes the whole quanta of {@code chunk} (after those carried over from the last chunk);
     * what is left of a quantum is carried to the next. Padding may end a quantum anywhere (a
     * client may encode each message on its own), so runs are decoded up to each padded quantum.
     */
    private static ByteBuffer decode(Call c, ByteBuffer chunk) {
        byte[] chars = new byte[c.quantumLength + chunk.remaining()];
        System.arraycopy(c.quantum, 0, chars, 0, c.quantumLength);
        int n = c.quantumLength;
        for (int i = chunk.position(); i < chunk.limit(); i++) {
            byte b = chunk.get(i);
            if (b == ' ' || b == '\r' || b == '\n' || b == '\t') {
                continue;
            }
            if (!isBase64(b)) {
                throw ProxyError.status(400, "gRPC-web text body is not base64 (byte 0x"
                        + Integer.toHexString(b & 0xff) + ")");
            }
            chars[n++] = b;
        }
        int whole = n - n % 4;
        c.quantumLength = n - whole;
        System.arraycopy(chars, whole, c.quantum, 0, c.quantumLength);
        ByteArrayOutputStream out = new ByteArrayOutputStream(whole * 3 / 4);
        int run = 0;
        try {
            for (int q = 0; q < whole; q += 4) {
                if (chars[q + 3] == '=') {
                    out.writeBytes(Base64.getDecoder().decode(java.util.Arrays.copyOfRange(chars, run, q + 4)));
                    run = q + 4;
                }
            }
            if (run < whole) {
                out.writeBytes(Base64.getDecoder().decode(java.util.Arrays.copyOfRange(chars, run, whole)));
            }
        } catch (IllegalArgumentException e) {
            throw ProxyError.status(400, "gRPC-web text body is not base64: " + e.getMessage());
        }
        return ByteBuffer.wrap(out.toByteArray());
    }

    private static boolean isBase64(byte b) {
        return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '+' || b == '/'
                || b == '=';
    }

    @Override
    public void responseFilter(Session session, ResponseHead response) {
        Call c = call(session);
        if (c == null) {
            return;
        }
        HeaderBlock h = response.headers();
        int i = h.indexOf("content-type");
        if (i < 0) {
            return;
        }
        String ct = h.value(i).toLowerCase(Locale.ROOT);
        if (!ct.startsWith(GRPC) || ct.startsWith(WEB)) {
            return; // not gRPC from the origin (an error page), or ours already
        }
        String rest = ct.substring(GRPC.length());
        if (!rest.isEmpty() && rest.charAt(0) != '+' && rest.charAt(0) != ';') {
            return;
        }
        h.set("content-type", c.contentType);
        if (h.indexOf("grpc-status") < 0) {
            response.setChunked(); // the trailer frame (and base64) change the length
        }
    }

    /** The origin's trailers become the gRPC-web trailer frame; none go as HTTP trailers. */
    @Override
    public void responseTrailerFilter(Session session, HeaderBlock trailers) {
        Call c = call(session);
        if (c == null || trailers.size() == 0) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < trailers.size(); i++) {
            sb.append(trailers.name(i).toLowerCase(Locale.ROOT)).append(": ").append(trailers.value(i)).append("\r\n");
        }
        byte[] fields = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] frame = new byte[5 + fields.length];
        frame[0] = (byte) 0x80;
        frame[1] = (byte) (fields.length >>> 24);
        frame[2] = (byte) (fields.length >>> 16);
        frame[3] = (byte) (fields.length >>> 8);
        frame[4] = (byte) fields.length;
        System.arraycopy(fields, 0, frame, 5, fields.length);
        c.trailerFrame = frame;
        trailers.clear();
    }

    @Override
    public ByteBuffer responseBodyFilter(Session session, ByteBuffer chunk, boolean endOfStream) {
        Call c = call(session);
        if (c == null) {
            return chunk;
        }
        byte[] frame = endOfStream ? c.trailerFrame : null;
        if (frame == null && !c.text) {
            return chunk;
        }
        byte[] bytes = new byte[chunk.remaining() + (frame == null ? 0 : frame.length)];
        chunk.duplicate().get(bytes, 0, chunk.remaining());
        if (frame != null) {
            System.arraycopy(frame, 0, bytes, chunk.remaining(), frame.length);
            c.trailerFrame = null;
        }
        if (bytes.length == 0) {
            return EMPTY;
        }
        return ByteBuffer.wrap(c.text ? Base64.getEncoder().encode(bytes) : bytes);
    }
}
