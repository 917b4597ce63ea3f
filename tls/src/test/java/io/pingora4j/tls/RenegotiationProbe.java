package io.pingora4j.tls;

import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;

/**
 * Run in a fresh JVM by {@link RenegotiationTest} (JSSE reads its renegotiation switch once per
 * process): a TLS 1.2 client handshakes with a {@link ServerTls} server, then asks to
 * renegotiate. Prints "refused: ...", "ignored: ..." or "renegotiated". The first argument names the server's
 * provider ("jdk" or "openssl").
 */
public final class RenegotiationProbe {

    public static void main(String[] args) throws SSLException {
        TestPki ca = TestPki.create("renegotiation probe ca");
        TestPki.Leaf leaf = ca.issue("a.example.com");
        ServerTls server = new ServerTls(CertificateStore.of(List.of(CertifiedKey.of("a", leaf.chain(), leaf.key(),
                List.of(), true, "c", "k"))), ServerTlsSettings.defaults(), TlsProvider.parse("provider", args[0]), null);
        SSLEngine client = ca.trustingContext().createSSLEngine("a.example.com", 443);
        client.setUseClientMode(true);
        client.setEnabledProtocols(new String[] {"TLSv1.2"});
        EnginePair p = EnginePair.handshake(client, server.newServerEngine());
        if (!p.succeeded()) {
            System.out.println("handshake failed: " + p);
            System.exit(2);
        }
        client.beginHandshake();
        p.pump();
        if (p.serverError != null) {
            System.out.println("refused: " + p.serverError.getMessage());
        } else if (p.server.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING
                && client.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_UNWRAP) {
            // BoringSSL never renegotiates: it drops the ClientHello and the client waits in vain
            System.out.println("ignored: the server did not answer the renegotiation");
        } else if (p.succeeded()) {
            p.send(true, "still here");
            System.out.println("still here".equals(p.received(false)) ? "renegotiated" : "confused: " + p);
        } else {
            System.out.println("confused: " + p + " client " + client.getHandshakeStatus() + " server "
                    + p.server.getHandshakeStatus());
        }
    }
}
