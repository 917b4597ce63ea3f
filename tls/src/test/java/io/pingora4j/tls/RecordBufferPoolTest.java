package io.pingora4j.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The loop's lender of record buffers: what it counts, what it keeps, what it leaves to the collector. */
class RecordBufferPoolTest {

    @Test
    void aBufferGivenBackIsLentAgainCleared() {
        RecordBufferPool pool = new RecordBufferPool();
        ByteBuffer first = pool.take(1024, true);
        first.put((byte) 1);
        pool.give(first);
        ByteBuffer again = pool.take(1024, true);
        assertSame(first, again);
        assertEquals(0, again.position());
        assertEquals(1024, again.limit());
    }

    @Test
    void countersFollowLendingAndReturning() {
        RecordBufferPool pool = new RecordBufferPool();
        ByteBuffer a = pool.take(512, false);
        ByteBuffer b = pool.take(512, false);
        assertEquals(2, pool.outstanding());
        pool.give(a);
        assertEquals(1, pool.outstanding());
        assertEquals(1, pool.pooled());
        pool.take(512, false);
        pool.give(b);
        assertEquals(3, pool.taken());
        assertEquals(1, pool.outstanding());
        assertEquals(1, pool.pooled());
    }

    @Test
    void pastTheCapABufferGivenBackIsLeftToTheCollector() {
        RecordBufferPool pool = new RecordBufferPool(2);
        ByteBuffer[] lent = {pool.take(256, true), pool.take(256, true), pool.take(256, true)};
        for (ByteBuffer b : lent) {
            pool.give(b);
        }
        assertEquals(2, pool.pooled());
        assertEquals(0, pool.outstanding());
    }

    @Test
    void directAndHeapBuffersOfOneSizeAreKeptApart() {
        RecordBufferPool pool = new RecordBufferPool();
        ByteBuffer direct = pool.take(2048, true);
        pool.give(direct);
        ByteBuffer heap = pool.take(2048, false);
        assertNotSame(direct, heap);
        assertFalse(heap.isDirect());
        assertTrue(pool.take(2048, true).isDirect());
    }
}
