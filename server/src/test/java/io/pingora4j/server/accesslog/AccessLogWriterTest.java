package io.pingora4j.server.accesslog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.server.plugins.FakeSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class AccessLogWriterTest {

    @TempDir
    Path tmp;

    /** A sink whose first write blocks until released, as a stuck disk would. */
    static final class BlockedSink implements AccessLogWriter.LineSink {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch flushed = new CountDownLatch(1);
        volatile boolean closed;

        @Override
        public void write(String line) throws IOException {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
            lines.add(line);
        }

        @Override
        public void flush() {
            flushed.countDown();
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    @Timeout(30) // a guard against a blocking offer hanging the build, not a timing assertion
    void aFullQueueDropsAndCountsWithoutBlocking() throws Exception {
        BlockedSink sink = new BlockedSink();
        AccessLogWriter w = AccessLogWriter.toSink("test", sink, 4);

        assertTrue(w.offer("line 0"));
        assertTrue(sink.entered.await(10, TimeUnit.SECONDS), "the writer took line 0 and is stuck in the sink");
        for (int i = 1; i <= 4; i++) {
            assertTrue(w.offer("line " + i), "room for " + i);
        }
        for (int i = 5; i <= 9; i++) {
            assertFalse(w.offer("line " + i), "queue full: " + i + " is dropped, not waited for");
        }
        assertEquals(5, w.droppedLines());
        assertEquals(4, w.pending());

        sink.release.countDown();
        w.close();

        assertEquals(List.of("line 0", "line 1", "line 2", "line 3", "line 4"), sink.lines);
        assertEquals(5, w.writtenLines());
        assertTrue(sink.closed);
    }

    @Test
    void closeWritesAndFlushesEverythingAccepted() throws Exception {
        Path file = tmp.resolve("logs/access.log");
        AccessLogWriter w = AccessLogWriter.toFile(file, 10_000);
        for (int i = 0; i < 5000; i++) {
            assertTrue(w.offer("request " + i));
        }
        w.close();

        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertEquals(5000, lines.size());
        assertEquals("request 0", lines.get(0));
        assertEquals("request 4999", lines.get(4999));
        assertEquals(0, w.droppedLines());
    }

    @Test
    void appendsToAnExistingFile() throws Exception {
        Path file = tmp.resolve("access.log");
        Files.writeString(file, "old line\n");
        try (AccessLogWriter w = AccessLogWriter.toFile(file, 16)) {
            w.offer("new line");
        }
        assertEquals(List.of("old line", "new line"), Files.readAllLines(file));
    }

    @Test
    void flushesWhenTheQueueRunsEmptyWithoutWaitingForClose() throws Exception {
        BlockedSink sink = new BlockedSink();
        sink.release.countDown();
        try (AccessLogWriter w = AccessLogWriter.toSink("test", sink, 16)) {
            w.offer("one");
            assertTrue(sink.flushed.await(10, TimeUnit.SECONDS), "flushed while still open");
            assertEquals(List.of("one"), sink.lines);
        }
    }

    @Test
    void aLineOfferedAfterCloseIsCountedAsDropped() {
        BlockedSink sink = new BlockedSink();
        sink.release.countDown();
        AccessLogWriter w = AccessLogWriter.toSink("test", sink, 16);
        w.close();
        assertFalse(w.offer("late"));
        assertEquals(1, w.droppedLines());
        w.close(); // idempotent
    }

    @Test
    void aFailingSinkCountsErrorsAndKeepsGoing() {
        List<String> ok = Collections.synchronizedList(new ArrayList<>());
        AccessLogWriter.LineSink flaky = new AccessLogWriter.LineSink() {
            @Override
            public void write(String line) throws IOException {
                if (line.startsWith("bad")) {
                    throw new IOException("disk full");
                }
                ok.add(line);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        AccessLogWriter w = AccessLogWriter.toSink("flaky", flaky, 16);
        w.offer("good 1");
        w.offer("bad 2");
        w.offer("good 3");
        w.close();
        assertEquals(List.of("good 1", "good 3"), ok);
        assertEquals(1, w.writeErrors());
    }

    @Test
    @Timeout(60)
    void concurrentProducersLoseNothingThatWasAccepted() throws Exception {
        java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicLong duplicates = new java.util.concurrent.atomic.AtomicLong();
        AccessLogWriter.LineSink sink = new AccessLogWriter.LineSink() {
            @Override
            public void write(String line) {
                if (!seen.add(line)) {
                    duplicates.incrementAndGet();
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        AccessLogWriter w = AccessLogWriter.toSink("mpsc", sink, 256);
        int threads = 4;
        int perThread = 20_000;
        java.util.concurrent.atomic.AtomicLong accepted = new java.util.concurrent.atomic.AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> producers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread p = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    if (w.offer(id + ":" + i)) {
                        accepted.incrementAndGet();
                    }
                }
            });
            p.start();
            producers.add(p);
        }
        start.countDown();
        for (Thread p : producers) {
            p.join();
        }
        w.close();

        assertEquals(threads * perThread, accepted.get() + w.droppedLines());
        assertEquals(accepted.get(), seen.size());
        assertEquals(accepted.get(), w.writtenLines());
        assertEquals(0, duplicates.get());
    }

    @Test
    void theAccessLogRendersOnTheCallerAndWritesInTheBackground() throws Exception {
        Path file = tmp.resolve("a.log");
        try (AccessLog log = AccessLog.open(file + " {method} {uri} {status}", 64)) {
            assertTrue(log.log(FakeSession.get("/x?y=1")));
        }
        assertEquals(List.of("GET /x?y=1 -"), Files.readAllLines(file));
    }
}
