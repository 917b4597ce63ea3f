package io.pingora4j.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.util.ReferenceCounted;
import java.nio.ByteBuffer;
import java.util.List;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;

/** A released codec frees its native engine and hands its direct buffers to the next connection. */
class TlsCodecReleaseTest {

    static final TestPki CA = TestPki.create("release ca");
    static final TestPki.Leaf LEAF = CA.issue("a.test");
    static final ServerTls SERVER = new ServerTls(CertificateStore.of(List.of(CertifiedKey.of("a", LEAF.chain(),
            LEAF.key(), List.of(), true, "c", "k"))), ServerTlsSettings.defaults(), TlsProvider.OPENSSL, null);

    @Test
    void releasingFreesTheNativeEngine() {
        TlsCodec codec = new TlsCodec(SERVER.newServerEngine());
        ReferenceCounted engine = (ReferenceCounted) codec.engine();
        assertEquals(1, engine.refCnt());
        codec.release();
        assertEquals(0, engine.refCnt());
        codec.release(); // idempotent
        assertEquals(0, engine.refCnt());
    }

    @Test
    void aReleasedCodecReadsAsFailedAndHoldsNothing() {
        TlsCodec codec = new TlsCodec(SERVER.newServerEngine());
        codec.release();
        assertFalse(codec.hasBufferedInput());
        assertFalse(codec.hasNetworkOutput());
        assertThrows(SSLException.class, codec::handshake);
        assertThrows(SSLException.class, () -> codec.unwrap(ByteBuffer.allocate(64)));
    }

    @Test
    void manyConnectionsReuseTheSameFewBuffers() {
        RecordBufferPool pool = new RecordBufferPool();
        TlsCodec first = new TlsCodec(SERVER.newServerEngine(), pool);
        ByteBuffer firstInput = first.networkInput();
        assertTrue(firstInput.isDirect(), "BoringSSL reads a direct buffer in place");
        first.release();
        for (int i = 0; i < 10_000; i++) {
            TlsCodec c = new TlsCodec(SERVER.newServerEngine(), pool);
            assertTrue(c.networkInput() == firstInput, "connection " + i + " got a new buffer");
            c.release();
        }
        assertEquals(0, pool.outstanding());
        assertEquals(1, pool.pooled());
    }

    @Test
    void releasingGivesBackEveryBufferHeld() throws Exception {
        RecordBufferPool pool = new RecordBufferPool();
        TlsCodec codec = new TlsCodec(SERVER.newServerEngine(), pool);
        codec.networkInput().put((byte) 22); // a partial record: kept by trim, not by release
        codec.trim();
        assertEquals(1, pool.outstanding());
        codec.release();
        assertEquals(0, pool.outstanding());
        assertFalse(codec.holdsBuffers());
    }
}
