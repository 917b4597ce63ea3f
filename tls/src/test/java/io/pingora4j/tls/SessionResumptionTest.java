package io.pingora4j.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.Test;

/**
 * A client that comes back resumes its session instead of a full handshake: JDK clients (one
 * SSLContext, so one client session cache) against a {@link ServerTls} listener, through
 * {@link TlsCodec}s in memory. Cases per provider in {@link SessionResumptionOnJdkTest} and
 * {@link SessionResumptionOnOpenSslTest}.
 */
abstract class SessionResumptionTest {

    static final TestPki CA = TestPki.create("resumption ca");
    static final TestPki.Leaf LEAF = CA.issue("a.test");

    abstract TlsProvider provider();

    /** The clock the ticket keys rotate by, moved by hand. */
    final AtomicLong nanos = new AtomicLong();
    final SessionTicketKeys tickets = new SessionTicketKeys(Duration.ofMinutes(10), nanos::get);
    final SSLContext clientContext = CA.trustingContext();

    ServerTls server() {
        return new ServerTls(CertificateStore.of(List.of(CertifiedKey.of("a", LEAF.chain(), LEAF.key(), List.of(),
                true, "c", "k"))), ServerTlsSettings.defaults(), provider(), tickets);
    }

    /** One connection, a request and a response through it; returns the server's codec. */
    TlsCodec connect(ServerTls server, String protocol) throws SSLException {
        SSLEngine c = clientContext.createSSLEngine("a.test", 443);
        c.setUseClientMode(true);
        SSLParameters p = c.getSSLParameters();
        p.setProtocols(new String[] {protocol});
        c.setSSLParameters(p);
        TlsCodec client = new TlsCodec(c);
        TlsCodec serverCodec = new TlsCodec(server.newServerEngine());
        for (int turn = 0; ; turn++) {
            assertTrue(turn < 10_000, "the handshake did not finish");
            TlsCodec.HandshakeStep a = TlsCodecPair.step(client);
            TlsCodec.HandshakeStep b = TlsCodecPair.step(serverCodec);
            int moved = TlsCodecPair.transfer(client, serverCodec, Integer.MAX_VALUE)
                    + TlsCodecPair.transfer(serverCodec, client, Integer.MAX_VALUE);
            if (a == TlsCodec.HandshakeStep.DONE && b == TlsCodec.HandshakeStep.DONE && moved == 0) {
                break;
            }
        }
        // TLS 1.3 tickets follow the handshake: the client takes them in with the response
        byte[] msg = "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        assertArrayEquals(msg, TlsCodecPair.send(client, serverCodec, msg, Integer.MAX_VALUE, 65536));
        assertArrayEquals(msg, TlsCodecPair.send(serverCodec, client, msg, Integer.MAX_VALUE, 65536));
        assertEquals(protocol, serverCodec.engine().getSession().getProtocol());
        client.release();
        serverCodec.release();
        return serverCodec;
    }

    @Test
    void aTls13ClientThatComesBackResumes() throws SSLException {
        ServerTls server = server();
        assertFalse(connect(server, "TLSv1.3").resumed(), "the first handshake is a full one");
        TlsHandshakes.Counts before = TlsHandshakes.counts();
        assertTrue(connect(server, "TLSv1.3").resumed());
        TlsHandshakes.Counts after = TlsHandshakes.counts();
        assertEquals(1, after.serverResumed() - before.serverResumed());
        assertEquals(0, after.serverFull() - before.serverFull());
    }

    @Test
    void aTls12ClientThatComesBackResumes() throws SSLException {
        ServerTls server = server();
        assertFalse(connect(server, "TLSv1.2").resumed());
        TlsHandshakes.Counts before = TlsHandshakes.counts();
        assertTrue(connect(server, "TLSv1.2").resumed());
        TlsHandshakes.Counts after = TlsHandshakes.counts();
        assertEquals(1, after.serverResumed() - before.serverResumed());
        assertEquals(0, after.serverFull() - before.serverFull());
    }

    @Test
    void aTicketStillResumesAfterOneRotation() throws SSLException {
        ServerTls server = server();
        connect(server, "TLSv1.3");
        nanos.addAndGet(Duration.ofMinutes(10).toNanos()); // the key that issued it is now the previous one
        assertTrue(connect(server, "TLSv1.3").resumed());
    }

    @Test
    void aTicketFromARotatedOutKeyGetsAFullHandshake() throws SSLException {
        ServerTls server = server();
        connect(server, "TLSv1.3");
        nanos.addAndGet(Duration.ofMinutes(20).toNanos()); // two lifetimes: its key is gone
        // the JDK's server resumes from its own cache, which knows nothing of the ring: its
        // sessions live their timeout (the ticket lifetime, by the wall clock)
        assertEquals(provider() == TlsProvider.JDK, connect(server, "TLSv1.3").resumed());
    }
}
