package io.pingora4j.tls;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.ssl.OpenSslContextOption;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/** A client and a server codec wired to each other in memory, with a pump that moves their bytes. */
final class TlsCodecPair {

    static final TestPki CA = TestPki.create("codec-ca");
    static final TestPki.Leaf LEAF = CA.issue("a.test");

    final SSLEngine clientEngine;
    final SSLEngine serverEngine;
    final TlsCodec client;
    final TlsCodec server;
    /** Where each side borrows its buffers: one pool per side, as each side would be on its own loop. */
    final RecordBufferPool clientPool = new RecordBufferPool();
    final RecordBufferPool serverPool = new RecordBufferPool();

    private TlsCodecPair(TlsProvider provider, String protocol, String serverName) {
        // the server's engine is the provider's; the client is the JDK's, whose renegotiation and
        // key update requests the tests drive (BoringSSL's client engine has neither)
        if (provider == TlsProvider.OPENSSL) {
            serverEngine = nativeServer();
        } else {
            serverEngine = LEAF.context(null).createSSLEngine();
            serverEngine.setUseClientMode(false);
        }
        clientEngine = CA.trustingContext().createSSLEngine(serverName, 443);
        clientEngine.setUseClientMode(true);
        SSLParameters p = clientEngine.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        if (protocol != null) {
            p.setProtocols(new String[] {protocol});
        }
        clientEngine.setSSLParameters(p);
        client = new TlsCodec(clientEngine, clientPool);
        server = new TlsCodec(serverEngine, serverPool);
    }

    private static SSLEngine nativeServer() {
        try {
            return SslContextBuilder.forServer(LEAF.key(), LEAF.chain()).sslProvider(SslProvider.OPENSSL_REFCNT)
                    .option(OpenSslContextOption.USE_TASKS, false).build().newEngine(UnpooledByteBufAllocator.DEFAULT);
        } catch (SSLException e) {
            throw new AssertionError(e);
        }
    }

    static TlsCodecPair create(TlsProvider provider) {
        return new TlsCodecPair(provider, null, "a.test");
    }

    /** A pair whose client expects the server to be {@code serverName} (the certificate is for a.test). */
    static TlsCodecPair expecting(TlsProvider provider, String serverName) {
        return new TlsCodecPair(provider, null, serverName);
    }

    static TlsCodecPair create(TlsProvider provider, String protocol) {
        return new TlsCodecPair(provider, protocol, "a.test");
    }

    /** Runs both handshakes to the end, moving at most {@code chunk} bytes per direction per turn. */
    TlsCodecPair handshake(int chunk) throws SSLException {
        for (int turn = 0; turn < 1_000_000; turn++) {
            TlsCodec.HandshakeStep c = step(client);
            TlsCodec.HandshakeStep s = step(server);
            int moved = transfer(client, server, chunk) + transfer(server, client, chunk);
            if (c == TlsCodec.HandshakeStep.DONE && s == TlsCodec.HandshakeStep.DONE && moved == 0) {
                return this;
            }
        }
        throw new AssertionError("the handshake did not finish");
    }

    /** Drives one side's handshake, running its delegated tasks in place. */
    static TlsCodec.HandshakeStep step(TlsCodec c) throws SSLException {
        TlsCodec.HandshakeStep s;
        while ((s = c.handshake()) == TlsCodec.HandshakeStep.NEED_TASK) {
            Runnable t;
            while ((t = c.delegatedTask()) != null) {
                t.run();
            }
        }
        return s;
    }

    /** Moves up to {@code chunk} bytes of {@code from}'s output into {@code to}'s input. */
    static int transfer(TlsCodec from, TlsCodec to, int chunk) {
        ByteBuffer out = from.networkOutput();
        int n = Math.min(chunk, out.remaining());
        if (n == 0) {
            return 0;
        }
        ByteBuffer part = out.duplicate();
        part.limit(part.position() + n);
        int taken = to.feed(part);
        out.position(out.position() + taken);
        return taken;
    }

    /**
     * Sends {@code data} from one codec to the other, {@code chunk} network bytes at a time, and
     * returns what the receiver decrypted (read through a buffer of {@code readSize} bytes).
     */
    static byte[] send(TlsCodec from, TlsCodec to, byte[] data, int chunk, int readSize) throws SSLException {
        ByteBuffer src = ByteBuffer.wrap(data);
        ByteBuffer dst = ByteBuffer.allocate(readSize);
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        for (int turn = 0; received.size() < data.length; turn++) {
            if (turn > 10_000_000) {
                throw new AssertionError("transfer stalled at " + received.size());
            }
            from.wrap(src);
            transfer(from, to, chunk);
            dst.clear();
            int n = to.unwrap(dst);
            if (n < 0) {
                throw new AssertionError("unexpected close_notify");
            }
            received.write(dst.array(), 0, n);
        }
        return received.toByteArray();
    }
}
