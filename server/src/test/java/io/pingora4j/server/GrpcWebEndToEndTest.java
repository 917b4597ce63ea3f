package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * gRPC-web through the real server ({@code modules = ["grpc-web"]}, {@code grpc_web = true}, an
 * {@code alpn = "h2"} upstream): binary and text calls from an HTTP/1.1 client become gRPC to the
 * origin, and its trailers come back as the trailer frame at the end of the body.
 */
class GrpcWebEndToEndTest {

    private GrpcTestOrigin origin;
    private RunningProxy proxy;

    @BeforeEach
    void start() throws Exception {
        origin = new GrpcTestOrigin();
    }

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        origin.close();
    }

    private void startProxy(boolean module) {
        proxy = RunningProxy.start(port -> """
                [upstreams.grpc]
                addrs = ["127.0.0.1:%d"]
                alpn = "h2"

                [locations.grpc]
                upstream = "grpc"
                grpc_web = true

                [servers.web]
                addr = "127.0.0.1:%d"
                locations = ["grpc"]
                %s
                """.formatted(origin.port(), port, module ? "modules = [\"grpc-web\"]" : ""));
    }

    private RawHttp.Response call(String method, String contentType, byte[] body, String... extra) throws Exception {
        StringBuilder head = new StringBuilder("POST /test.Echo/" + method + " HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: " + contentType + "\r\nX-Grpc-Web: 1\r\nContent-Length: " + body.length + "\r\n");
        for (String line : extra) {
            head.append(line).append("\r\n");
        }
        head.append("\r\n");
        ByteArrayOutputStream req = new ByteArrayOutputStream();
        req.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        req.writeBytes(body);
        return RawHttp.exchange(proxy.server.port(), req.toByteArray());
    }

    private static byte[] trailerFrame(String fields) {
        byte[] f = GrpcTestOrigin.frame(fields.getBytes(StandardCharsets.ISO_8859_1));
        f[0] = (byte) 0x80;
        return f;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Decodes a gRPC-web-text body: base64 chunks, each possibly padded. */
    private static byte[] decodeText(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String s = new String(body, StandardCharsets.ISO_8859_1);
        int from = 0;
        for (int i = 0; i < s.length(); i += 4) {
            if (s.charAt(i + 3) == '=') {
                out.writeBytes(Base64.getDecoder().decode(s.substring(from, i + 4)));
                from = i + 4;
            }
        }
        if (from < s.length()) {
            out.writeBytes(Base64.getDecoder().decode(s.substring(from)));
        }
        return out.toByteArray();
    }

    @Test
    void aBinaryCallReachesTheOriginAsGrpcAndItsTrailersComeBackAsTheTrailerFrame() throws Exception {
        startProxy(true);
        byte[] message = GrpcTestOrigin.frame("hello".getBytes(StandardCharsets.ISO_8859_1));
        RawHttp.Response r = call("Unary", "application/grpc-web+proto", message, "X-Meta: m1");
        assertEquals(200, r.status());
        assertEquals("application/grpc-web+proto", r.header("content-type"));
        assertEquals("m1", r.header("x-echo-meta"), "metadata both ways");
        assertArrayEquals(concat(message, trailerFrame("grpc-status: 0\r\n")), r.bodyBytes());
        assertEquals("/test.Echo/Unary content-type=application/grpc+proto te=trailers", origin.requests.get(0));
    }

    @Test
    void aTextCallIsDecodedUpAndEncodedDown() throws Exception {
        startProxy(true);
        byte[] message = GrpcTestOrigin.frame("text mode".getBytes(StandardCharsets.ISO_8859_1));
        byte[] body = Base64.getEncoder().encode(message);
        RawHttp.Response r = call("Unary", "application/grpc-web-text+proto", body, "Accept: application/grpc-web-text");
        assertEquals(200, r.status());
        assertEquals("application/grpc-web-text+proto", r.header("content-type"));
        assertArrayEquals(concat(message, trailerFrame("grpc-status: 0\r\n")), decodeText(r.bodyBytes()));
        assertEquals("/test.Echo/Unary content-type=application/grpc+proto te=trailers", origin.requests.get(0));
    }

    @Test
    void aTextBodyPaddedPerMessageIsDecodedWhole() throws Exception {
        startProxy(true);
        byte[] one = GrpcTestOrigin.frame("a".getBytes(StandardCharsets.ISO_8859_1));
        byte[] two = GrpcTestOrigin.frame("bc".getBytes(StandardCharsets.ISO_8859_1));
        byte[] body = concat(Base64.getEncoder().encode(one), Base64.getEncoder().encode(two));
        RawHttp.Response r = call("Unary", "application/grpc-web-text", body);
        assertArrayEquals(concat(concat(one, two), trailerFrame("grpc-status: 0\r\n")), decodeText(r.bodyBytes()));
    }

    @Test
    void anErrorStatusComesInTheTrailerFrame() throws Exception {
        startProxy(true);
        RawHttp.Response r = call("Missing", "application/grpc-web+proto", GrpcTestOrigin.frame(new byte[0]));
        assertEquals(200, r.status());
        assertArrayEquals(trailerFrame("grpc-status: 5\r\ngrpc-message: no such thing\r\n"), r.bodyBytes());
    }

    @Test
    void aTrailersOnlyErrorKeepsItsStatusInTheHead() throws Exception {
        startProxy(true);
        RawHttp.Response r = call("TrailersOnly", "application/grpc-web+proto", GrpcTestOrigin.frame(new byte[0]));
        assertEquals(200, r.status());
        assertEquals("7", r.header("grpc-status"));
        assertEquals("denied", r.header("grpc-message"));
        assertEquals("application/grpc-web+proto", r.header("content-type"));
        assertEquals(0, r.bodyBytes().length);
    }

    @Test
    void aTextBodyThatIsNotBase64IsRefusedAsAGrpcError() throws Exception {
        startProxy(true);
        RawHttp.Response r = call("Unary", "application/grpc-web-text", "not*base64!".getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(200, r.status());
        assertEquals("13", r.header("grpc-status"), "400 from the bridge is INTERNAL to a gRPC client");
    }

    @Test
    void withoutTheServerModuleNothingIsBridged() throws Exception {
        startProxy(false);
        call("Unary", "application/grpc-web+proto", GrpcTestOrigin.frame(new byte[0]));
        assertTrue(origin.requests.get(0).contains("content-type=application/grpc-web+proto"), origin.requests.toString());
    }
}
