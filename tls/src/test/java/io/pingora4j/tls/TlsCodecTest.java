package io.pingora4j.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** The record codec between two in-memory peers: no sockets, every byte moved by the test. */
abstract class TlsCodecTest {

    /** The provider of both engines ({@link TlsCodecOnJdkTest}, {@link TlsCodecOnOpenSslTest}). */
    abstract TlsProvider provider();

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void handshakeCompletesAndBothSidesAgreeOnTheSession() throws Exception {
        TlsCodecPair p = TlsCodecPair.create(provider()).handshake(Integer.MAX_VALUE);
        assertTrue(p.client.handshakeComplete());
        assertTrue(p.server.handshakeComplete());
        assertEquals(p.clientEngine.getSession().getCipherSuite(), p.serverEngine.getSession().getCipherSuite());
        assertEquals("TLSv1.3", p.serverEngine.getSession().getProtocol());
    }

    @Test
    void dataFlowsBothWaysAfterTheHandshake() throws Exception {
        TlsCodecPair p = TlsCodecPair.create(provider()).handshake(Integer.MAX_VALUE);
        byte[] request = ascii("GET / HTTP/1.1\r\nHost: a.test\r\n\r\n");
        byte[] response = ascii("HTTP/1.1 204 No Content\r\n\r\n");
        assertArrayEquals(request, TlsCodecPair.send(p.client, p.server, request, Integer.MAX_VALUE, 65536));
        assertArrayEquals(response, TlsCodecPair.send(p.server, p.client, response, Integer.MAX_VALUE, 65536));
    }

    @Test
    void manySmallBuffersWrittenAtOnceGoOutAsOneRecord() throws Exception {
        TlsCodecPair p = TlsCodecPair.create(provider()).handshake(Integer.MAX_VALUE);
        // the session tickets TLS 1.3 sends after the handshake go out with the first data
        assertArrayEquals(ascii("x"), TlsCodecPair.send(p.server, p.client, ascii("x"), Integer.MAX_VALUE, 65536));
        StringBuilder all = new StringBuilder();
        ByteBuffer[] frames = new ByteBuffer[20];
        for (int i = 0; i < frames.length; i++) {
            frames[i] = ByteBuffer.wrap(ascii("frame-" + (char) ('a' + i) + "-9")); // 9 bytes each, as an h2 frame header
            all.append("frame-").append((char) ('a' + i)).append("-9");
        }

        long taken = p.server.wrap(frames, 0, frames.length);

        assertEquals(180, taken);
        ByteBuffer out = p.server.networkOutput();
        int records = 0;
        int at = out.position();
        while (at + 5 <= out.limit()) {
            records++;
            at += 5 + (((out.get(at + 3) & 0xff) << 8) | (out.get(at + 4) & 0xff)); // a record header's length
        }
        assertEquals(out.limit(), at, "whole records");
        assertEquals(1, records, "one record for the 20 buffers, not one per buffer (" + out.remaining() + " bytes)");
        TlsCodecPair.transfer(p.server, p.client, Integer.MAX_VALUE);
        ByteBuffer read = ByteBuffer.allocate(65536);
        assertEquals(180, p.client.unwrap(read));
        assertEquals(all.toString(), new String(read.array(), 0, 180, StandardCharsets.US_ASCII), "in order");
    }

    @Test
    void handshakeAndDataSurviveDeliveryOneByteAtATime() throws Exception {
        TlsCodecPair p = TlsCodecPair.create(provider()).handshake(1);
        byte[] request = ascii("GET /byte-by-byte HTTP/1.1\r\nHost: a.test\r\n\r\n");
        assertArrayEquals(request, TlsCodecPair.send(p.client, p.server, request, 1, 65536));
        assertArrayEquals(request, TlsCodecPair.send(p.server, p.client, request, 1, 7));
    }

    @Test
    void tls12HandshakeWorksOneByteAtATime() throws Exception {
        TlsCodecPair p = TlsCodecPair.create(provider(), "TLSv1.2").handshake(1);
        assertEquals("TLSv1.2", p.serverEngine.getSession().getProtocol());
        byte[] msg = ascii("over TLS 1.2");
        assertArrayEquals(msg, TlsCodecPair.send(p.client, p.server, msg, 1, 65536));
    }

    @Test
    void severalRecordsArrivingInOneReadAreAllDecrypted() throws Exception {
        TlsCodecPair p = TlsCodecPair.create(provider()).handshake(Integer.MAX_VALUE);
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            String part = "record " + i + ";";
            expected.append(part);
            p.client.wrap(ByteBuffer.wrap(ascii(part))); // one record each
        }
        ByteBuffer wire = p.client.networkOutput();
        assertEquals(wire.remaining(), p.server.feed(wire), "twenty small records fit the input at once");

        ByteBuffer dst = ByteBuffer.allocate(65536);
        int n = p.server.unwrap(dst);
        assertEquals(expected.toString(), new String(dst.array(), 0, n, StandardCharsets.US_ASCII));
        assertFalse(p.server.hasBufferedInput());
    }

    @Test
    void aReaderWithLittleRoomGetsARecordOverSeveralCalls() throws Exception {
        TlsCodecPair p = TlsCodecPair.create(provider()).handshake(Integer.MAX_VALUE);
        byte[] data = random(40_000, 1); // three records
        ByteBuffer src = ByteBuffer.wrap(data);
        p.client.wrap(src);
        TlsCodecPair.transfer(p.client, p.server, Integer.MAX_VALUE);

        ByteBuffer small = ByteBuffer.allocate(1000);
        ByteBuffer all = ByteBuffer.allocate(data.length);
        while (all.hasRemaining()) {
            small.clear();
            int n = p.server.unwrap(small);
            assertTrue(n > 0, "decrypted bytes are handed out while any are held");
            all.put(small.flip());
            p.client.wrap(src);
            TlsCodecPair.transfer(p.client, p.server, Integer.MAX_VALUE);
        }
        assertArrayEquals(data, all.array());
    }

    @Test
    void oneMegabyteGoesEachWay() throws Exception {
        TlsCodecPair p = TlsCodecPair.create(provider()).handshake(Integer.MAX_VALUE);
        byte[] up = random(1 << 20, 2);
        byte[] down = random(1 << 20, 3);
        assertArrayEquals(up, TlsCodecPair.send(p.client, p.server, up, 1500, 32 * 1024));
        assertArrayEquals(down, TlsCodecPair.send(p.server, p.client, down, 64 * 1024, 4096));
    }

    @Test
    void steadyStateReusesTheCodecsBuffers() throws Exception {
        TlsCodecPair p = TlsCodecPair.create(provider()).handshake(Integer.MAX_VALUE);
        ByteBuffer in = p.server.networkInput();
        ByteBuffer out = p.client.networkOutput();
        TlsCodecPair.send(p.client, p.server, random(1 << 20, 4), 16 * 1024, 8 * 1024);
        assertSame(in, p.server.networkInput());
        assertSame(out, p.client.networkOutput());
    }

    /**
     * A pair after its handshake, the client having read what the server sent after it (TLS 1.3
     * session tickets wait in the client's input until it reads).
     */
    private TlsCodecPair settledPair() throws SSLException {
        TlsCodecPair p = TlsCodecPair.create(provider()).handshake(Integer.MAX_VALUE);
        assertEquals(0, p.client.unwrap(ByteBuffer.allocate(65536)));
        return p;
    }

    /** Both sides give back what holds nothing, as an event loop does before it waits. */
    private static void trimBoth(TlsCodecPair p) {
        p.client.trim();
        p.server.trim();
    }

    @Test
    void anIdleKeepAliveConnectionHoldsNoBuffer() throws Exception {
        TlsCodecPair p = settledPair();
        byte[] request = ascii("GET / HTTP/1.1\r\nHost: a.test\r\n\r\n");
        byte[] response = ascii("HTTP/1.1 204 No Content\r\n\r\n");
        TlsCodecPair.send(p.client, p.server, request, Integer.MAX_VALUE, 65536);
        TlsCodecPair.send(p.server, p.client, response, Integer.MAX_VALUE, 65536);
        trimBoth(p);
        assertEquals(0, p.serverPool.outstanding(), "server: " + p.serverPool);
        assertEquals(0, p.clientPool.outstanding(), "client: " + p.clientPool);
        assertFalse(p.server.holdsBuffers());
    }

    @Test
    void aConnectionIdleMidStreamGivesBackItsBuffersAndBorrowsForTheRest() throws Exception {
        TlsCodecPair p = settledPair();
        byte[] first = random(40_000, 6);
        byte[] rest = random(40_000, 7);
        assertArrayEquals(first, TlsCodecPair.send(p.client, p.server, first, 16 * 1024, 8 * 1024));
        trimBoth(p);
        assertEquals(0, p.serverPool.outstanding(), "the body's first part was read; the rest is late");
        assertEquals(0, p.clientPool.outstanding());
        assertArrayEquals(rest, TlsCodecPair.send(p.client, p.server, rest, 16 * 1024, 8 * 1024));
    }

    @Test
    void aPartialRecordKeepsItsInputAcrossTrimAndDecodesWhenTheRestArrives() throws Exception {
        TlsCodecPair p = settledPair();
        byte[] msg = ascii("split across two reads");
        p.client.wrap(ByteBuffer.wrap(msg));
        int record = p.client.networkOutput().remaining();
        TlsCodecPair.transfer(p.client, p.server, record / 2);
        ByteBuffer dst = ByteBuffer.allocate(65536);
        assertEquals(0, p.server.unwrap(dst), "half a record: nothing yet");
        p.server.trim();
        assertEquals(1, p.serverPool.outstanding(), "the half record stays in its input buffer");

        TlsCodecPair.transfer(p.client, p.server, Integer.MAX_VALUE);
        int n = p.server.unwrap(dst);
        assertEquals("split across two reads", new String(dst.array(), 0, n, StandardCharsets.US_ASCII));
        p.server.trim();
        assertEquals(0, p.serverPool.outstanding());
    }

    @Test
    void recordsNotYetSentKeepTheirOutputAcrossTrim() throws Exception {
        TlsCodecPair p = settledPair();
        p.client.wrap(ByteBuffer.wrap(ascii("queued")));
        p.client.trim();
        assertTrue(p.client.hasNetworkOutput(), "the record waits to be sent");
        TlsCodecPair.transfer(p.client, p.server, Integer.MAX_VALUE);
        p.client.trim();
        assertEquals(0, p.clientPool.outstanding());
    }

    @Test
    void trimmingAfterEveryDeliveryLosesNoByte() throws Exception {
        TlsCodecPair p = settledPair();
        byte[] data = random(100_000, 8);
        ByteBuffer src = ByteBuffer.wrap(data);
        ByteBuffer dst = ByteBuffer.allocate(data.length);
        for (int turn = 0; dst.hasRemaining(); turn++) {
            assertTrue(turn < 1_000_000, "transfer stalled at " + dst.position());
            p.client.wrap(src);
            TlsCodecPair.transfer(p.client, p.server, 777);
            trimBoth(p);
            p.server.unwrap(dst);
            trimBoth(p);
        }
        assertArrayEquals(data, dst.array());
        assertEquals(0, p.serverPool.outstanding());
        assertEquals(0, p.clientPool.outstanding());
    }

    @Test
    void aWriterStopsWhenTheOutputIsFullAndGoesOnOnceItIsSent() throws Exception {
        TlsCodecPair p = TlsCodecPair.create(provider()).handshake(Integer.MAX_VALUE);
        ByteBuffer src = ByteBuffer.wrap(random(200_000, 5));
        long first = p.client.wrap(src);
        assertTrue(first > 0 && src.hasRemaining(), "the output holds a bounded number of records");
        assertEquals(0, p.client.wrap(src), "nothing more until the output is sent");
        p.client.networkOutput().position(p.client.networkOutput().limit()); // "sent"
        assertTrue(p.client.wrap(src) > 0);
    }

    @Test
    void clientCloseNotifyIsRecognisedByTheServer() throws Exception {
        TlsCodecPair p = TlsCodecPair.create(provider()).handshake(Integer.MAX_VALUE);
        p.client.wrap(ByteBuffer.wrap(ascii("last words")));
        p.client.closeOutbound();
        assertTrue(p.client.outboundDone());
        TlsCodecPair.transfer(p.client, p.server, Integer.MAX_VALUE);

        ByteBuffer dst = ByteBuffer.allocate(65536);
        assertEquals(10, p.server.unwrap(dst), "data before close_notify is delivered first");
        assertEquals(-1, p.server.unwrap(dst));
        assertTrue(p.server.closeNotifyReceived());
        assertTrue(p.server.inputEnded(), "a clean end");
    }

    @Test
    void serverCloseNotifyIsRecognisedByTheClient() throws Exception {
        TlsCodecPair p = TlsCodecPair.create(provider()).handshake(Integer.MAX_VALUE);
        p.server.closeOutbound();
        TlsCodecPair.transfer(p.server, p.client, Integer.MAX_VALUE);
        assertEquals(-1, p.client.unwrap(ByteBuffer.allocate(65536)));
        assertTrue(p.client.closeNotifyReceived());
    }

    @Test
    void anEndWithoutCloseNotifyIsReportedAsTruncated() throws Exception {
        TlsCodecPair p = TlsCodecPair.create(provider()).handshake(Integer.MAX_VALUE);
        assertFalse(p.server.inputEnded());
    }

    @Test
    void garbageInsteadOfAClientHelloFailsWithAClearError() throws Exception {
        TlsCodecPair p = TlsCodecPair.create(provider());
        p.server.feed(ByteBuffer.wrap(ascii("GET / HTTP/1.1\r\nHost: a.test\r\n\r\n")));
        SSLException e = assertThrows(SSLException.class, p.server::handshake);
        assertSame(e, assertThrows(SSLException.class, p.server::handshake), "the failure is final");
        assertSame(e, p.server.failure());
    }

    @Test
    void anOversizedRecordFailsTheHandshake() throws Exception {
        TlsCodecPair p = TlsCodecPair.create(provider());
        // a handshake record header claiming 65 535 bytes, then filler
        ByteBuffer wire = ByteBuffer.allocate(5 + 20_000);
        wire.put(new byte[] {0x16, 0x03, 0x01, (byte) 0xff, (byte) 0xff}).position(wire.capacity()).flip();
        assertThrows(SSLException.class, () -> {
            for (int i = 0; i < 10; i++) {
                p.server.feed(wire);
                p.server.handshake();
            }
        });
    }

    @Test
    void aHandshakeCutShortWaitsForInputThenFailsAtEndOfStream() throws Exception {
        TlsCodecPair p = TlsCodecPair.create(provider());
        assertEquals(TlsCodec.HandshakeStep.NEED_INPUT, TlsCodecPair.step(p.client));
        ByteBuffer hello = p.client.networkOutput();
        ByteBuffer half = hello.duplicate();
        half.limit(half.position() + hello.remaining() / 2);
        p.server.feed(half);
        assertEquals(TlsCodec.HandshakeStep.NEED_INPUT, TlsCodecPair.step(p.server), "half a ClientHello: wait");
        assertThrows(SSLHandshakeException.class, p.server::inputEnded);
    }

    @Test
    void plaintextArrivingWithTheLastHandshakeRecordIsKept() throws Exception {
        TlsCodecPair p = TlsCodecPair.create(provider());
        // run until the client finishes, holding its last flight back
        for (int turn = 0; turn < 100 && !p.client.handshakeComplete(); turn++) {
            TlsCodecPair.step(p.client);
            TlsCodecPair.step(p.server);
            TlsCodecPair.transfer(p.server, p.client, Integer.MAX_VALUE);
            if (!p.client.handshakeComplete()) {
                TlsCodecPair.transfer(p.client, p.server, Integer.MAX_VALUE);
            }
        }
        assertTrue(p.client.handshakeComplete());
        byte[] request = ascii("GET /early HTTP/1.1\r\n\r\n");
        p.client.wrap(ByteBuffer.wrap(request)); // behind the client's Finished, in one delivery
        TlsCodecPair.transfer(p.client, p.server, Integer.MAX_VALUE);

        assertEquals(TlsCodec.HandshakeStep.DONE, TlsCodecPair.step(p.server));
        assertTrue(p.server.hasReadyInput());
        ByteBuffer dst = ByteBuffer.allocate(65536);
        int n = p.server.unwrap(dst);
        assertEquals("GET /early HTTP/1.1\r\n\r\n", new String(dst.array(), 0, n, StandardCharsets.US_ASCII));
    }

    @Test
    void tls12ClientInitiatedRenegotiationIsRefused() throws Exception {
        TlsCodecPair p = TlsCodecPair.create(provider(), "TLSv1.2").handshake(Integer.MAX_VALUE);
        p.clientEngine.beginHandshake(); // the client asks for a new handshake
        ByteBuffer out = ByteBuffer.allocate(p.clientEngine.getSession().getPacketBufferSize());
        p.clientEngine.wrap(ByteBuffer.allocate(0), out);
        p.server.feed(out.flip());

        SSLException e = assertThrows(SSLException.class, () -> p.server.unwrap(ByteBuffer.allocate(65536)));
        assertTrue(e.getMessage().contains("renegotiation"), e.getMessage());
    }

    @Test
    void tls13KeyUpdateIsAnsweredAndDataKeepsFlowing() throws Exception {
        TlsCodecPair p = TlsCodecPair.create(provider()).handshake(Integer.MAX_VALUE);
        p.clientEngine.beginHandshake(); // in TLS 1.3: a KeyUpdate, not a renegotiation
        byte[] msg = ascii("after the key update");
        assertArrayEquals(msg, TlsCodecPair.send(p.client, p.server, msg, Integer.MAX_VALUE, 65536));
        assertArrayEquals(msg, TlsCodecPair.send(p.server, p.client, msg, Integer.MAX_VALUE, 65536));
    }

    @Test
    void delegatedTasksMayRunOnAnotherThread() throws Exception {
        TlsCodecPair p = TlsCodecPair.create(provider());
        ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "tls-task"));
        Set<String> taskThreads = ConcurrentHashMap.newKeySet();
        try {
            for (int turn = 0; turn < 1000; turn++) {
                TlsCodec.HandshakeStep s = p.server.handshake();
                if (s == TlsCodec.HandshakeStep.NEED_TASK) {
                    pool.submit(() -> {
                        Runnable t;
                        while ((t = p.server.delegatedTask()) != null) {
                            taskThreads.add(Thread.currentThread().getName());
                            t.run();
                        }
                    }).get(10, TimeUnit.SECONDS);
                    continue;
                }
                TlsCodec.HandshakeStep c = TlsCodecPair.step(p.client);
                int moved = TlsCodecPair.transfer(p.client, p.server, Integer.MAX_VALUE)
                        + TlsCodecPair.transfer(p.server, p.client, Integer.MAX_VALUE);
                if (s == TlsCodec.HandshakeStep.DONE && c == TlsCodec.HandshakeStep.DONE && moved == 0) {
                    break;
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(p.server.handshakeComplete());
        // BoringSSL's server does its whole handshake inline (USE_TASKS off): no task to move
        assertEquals(provider() == TlsProvider.JDK ? Set.of("tls-task") : Set.of(), taskThreads);
    }

    @Test
    void aCertificateForAnotherNameFailsTheClientHandshake() throws Exception {
        TlsCodecPair p = TlsCodecPair.expecting(provider(), "b.test");
        SSLException e = assertThrows(SSLException.class, () -> p.handshake(Integer.MAX_VALUE));
        assertSame(e, p.client.failure(), "the client refused the certificate");
        assertTrue(e instanceof SSLHandshakeException, e.toString());
    }
}
