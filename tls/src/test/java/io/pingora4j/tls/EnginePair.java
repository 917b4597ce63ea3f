package io.pingora4j.tls;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * A client and a server SSLEngine talking to each other through two in-memory buffers, pumped on
 * the calling thread until neither can make progress. No sockets. Records each side's first
 * SSLException instead of throwing, and keeps pumping so the failing side's alert reaches the other.
 */
final class EnginePair {

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    final SSLEngine client;
    final SSLEngine server;
    /** Network bytes in flight, kept in write mode. */
    private final ByteBuffer toServer = ByteBuffer.allocate(1 << 18);
    private final ByteBuffer toClient = ByteBuffer.allocate(1 << 18);
    private final ByteBuffer clientApp = ByteBuffer.allocate(1 << 18);
    private final ByteBuffer serverApp = ByteBuffer.allocate(1 << 18);
    SSLException clientError;
    SSLException serverError;

    EnginePair(SSLEngine client, SSLEngine server) {
        this.client = client;
        this.server = server;
    }

    /** Runs a full handshake between the two. */
    static EnginePair handshake(SSLEngine client, SSLEngine server) {
        EnginePair p = new EnginePair(client, server);
        try {
            client.beginHandshake();
            server.beginHandshake();
        } catch (SSLException e) {
            throw new AssertionError(e);
        }
        p.pump();
        return p;
    }

    boolean succeeded() {
        return clientError == null && serverError == null
                && client.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING
                && server.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING
                && !client.isInboundDone() && !server.isInboundDone();
    }

    /** The leaf certificate the server presented, as the client saw it. */
    X509Certificate serverLeaf() {
        try {
            return (X509Certificate) client.getSession().getPeerCertificates()[0];
        } catch (SSLPeerUnverifiedException e) {
            throw new AssertionError("no server certificate", e);
        }
    }

    /** Sends application data from one side (after the handshake) and pumps. */
    void send(boolean fromClient, String text) {
        SSLEngine e = fromClient ? client : server;
        try {
            e.wrap(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), fromClient ? toServer : toClient);
        } catch (SSLException x) {
            throw new AssertionError(x);
        }
        pump();
    }

    /** Application data received so far by one side, drained. */
    String received(boolean byClient) {
        ByteBuffer b = byClient ? clientApp : serverApp;
        b.flip();
        String s = StandardCharsets.UTF_8.decode(b).toString();
        b.clear();
        return s;
    }

    void pump() {
        for (int i = 0; i < 10_000; i++) {
            boolean progress = step(true);
            progress |= step(false);
            if (!progress) {
                return;
            }
        }
        throw new AssertionError("the engines kept talking for 10000 rounds");
    }

    private boolean step(boolean isClient) {
        SSLEngine e = isClient ? client : server;
        ByteBuffer in = isClient ? toClient : toServer;
        ByteBuffer out = isClient ? toServer : toClient;
        ByteBuffer app = isClient ? clientApp : serverApp;
        boolean progress = false;
        Runnable task;
        while ((task = e.getDelegatedTask()) != null) {
            task.run();
            progress = true;
        }
        if (!e.isOutboundDone() && e.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
            try {
                SSLEngineResult r = e.wrap(EMPTY, out);
                progress |= r.bytesProduced() > 0 || r.getHandshakeStatus() != HandshakeStatus.NEED_WRAP;
            } catch (SSLException x) {
                progress |= fail(isClient, x);
            }
        } else if (!e.isOutboundDone() && e.getHandshakeStatus() == HandshakeStatus.NEED_UNWRAP
                && NativeEngines.isNative(e) && in.position() == 0) {
            // netty's engine moves its handshake on in wrap only (as TlsCodec knows): ask it
            try {
                SSLEngineResult r = e.wrap(EMPTY, out);
                progress |= r.bytesProduced() > 0 || r.getHandshakeStatus() == HandshakeStatus.FINISHED;
            } catch (SSLException x) {
                progress |= fail(isClient, x);
            }
        }
        in.flip();
        try {
            if (in.hasRemaining() && !e.isInboundDone()) {
                SSLEngineResult r = e.unwrap(in, app);
                progress |= r.bytesConsumed() > 0 || r.bytesProduced() > 0;
                if (r.bytesConsumed() > 0 && r.bytesProduced() == 0 && NativeEngines.isNative(e)
                        && r.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING && !e.isOutboundDone()) {
                    // an answer to a record without plaintext (an alert) waits in netty's engine for a wrap
                    progress |= e.wrap(EMPTY, out).bytesProduced() > 0;
                }
            }
        } catch (SSLException x) {
            progress |= fail(isClient, x);
        } finally {
            in.compact();
        }
        return progress;
    }

    /** Records the side's first error; progress only the first time, so a dead engine ends the pump. */
    private boolean fail(boolean isClient, SSLException x) {
        if (isClient) {
            if (clientError == null) {
                clientError = x;
                return true;
            }
        } else if (serverError == null) {
            serverError = x;
            return true;
        }
        return false;
    }

    @Override
    public String toString() {
        return "EnginePair[client=" + clientError + ", server=" + serverError + "]";
    }
}
