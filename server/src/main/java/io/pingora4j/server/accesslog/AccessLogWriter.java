package io.pingora4j.server.accesslog;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes access-log lines off the event loops. Loops {@link #offer} rendered lines into a bounded
 * queue; one background thread takes them and writes them to the sink (a file opened for append,
 * stdout, or any {@link LineSink}), one line each, terminated by '\n'.
 *
 * <h2>Never blocks the caller</h2>
 * {@link #offer} does not wait for room: when the queue is full (the disk is slower than the
 * traffic) the line is dropped and counted in {@link #droppedLines()}. Losing log lines under
 * overload is the price of never stalling a request on a disk. The queue is lock-free (a
 * {@link ConcurrentLinkedQueue} bounded by a counter), so an offer never parks on a lock either;
 * it wakes the writer thread only when that thread has said it is about to sleep.
 *
 * <h2>Flushing</h2>
 * The writer thread flushes the sink whenever the queue runs empty, and at least every
 * {@value #FLUSH_INTERVAL_MS} ms while it stays busy; {@link #close()} writes everything already
 * accepted, flushes and closes the sink.
 *
 * <p>Thread-safe: any number of threads may offer concurrently. The sink is used by the writer
 * thread only. A line offered at the very moment {@link #close()} runs may be lost uncounted;
 * close the writer after the loops have stopped.
 */
public final class AccessLogWriter implements AutoCloseable {

    /** Where lines go. Called from the writer thread only. */
    public interface LineSink extends Closeable {
        /** Writes one line; the sink adds the line terminator. */
        void write(String line) throws IOException;

        void flush() throws IOException;
    }

    /** Default queue capacity, in lines. */
    public static final int DEFAULT_CAPACITY = 16_384;
    /** Longest time a written line stays in the sink's buffer while the queue is busy. */
    public static final long FLUSH_INTERVAL_MS = 100;

    private static final Logger LOG = LoggerFactory.getLogger(AccessLogWriter.class);
    private static final int BATCH = 256;

    private final ConcurrentLinkedQueue<String> queue = new ConcurrentLinkedQueue<>();
    /** Lines in the queue; bounds it. Incremented before the line goes in, decremented after it comes out. */
    private final AtomicInteger size = new AtomicInteger();
    private final int capacity;
    private final LineSink sink;
    private final String name;
    private final Thread thread;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong writeErrors = new AtomicLong();
    private volatile boolean closing;
    /** Set by the writer thread just before it parks; producers unpark it only then. */
    private volatile boolean sleeping;

    private AccessLogWriter(String name, LineSink sink, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("access log queue capacity must be >= 1, got " + capacity);
        }
        this.name = name;
        this.sink = sink;
        this.capacity = capacity;
        this.thread = new Thread(this::run, "access-log " + name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * Appends to {@code file} (created if missing, parent folders too) through a buffered writer.
     *
     * @throws IOException naming the file when it cannot be opened
     */
    public static AccessLogWriter toFile(Path file, int capacity) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        return new AccessLogWriter(file.toString(), new WriterSink(w, true), capacity);
    }

    /** Writes to standard output (not closed on {@link #close()}). */
    public static AccessLogWriter toStdout(int capacity) {
        PrintStream out = System.out;
        Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 64 * 1024);
        return new AccessLogWriter("stdout", new WriterSink(w, false), capacity);
    }

    /** Writes to {@code sink}; {@code name} names the writer thread and error messages. */
    public static AccessLogWriter toSink(String name, LineSink sink, int capacity) {
        return new AccessLogWriter(name, sink, capacity);
    }

    /**
     * Queues one line for writing. Never waits: returns false and counts a dropped line when the
     * queue is full or the writer is closed.
     */
    public boolean offer(String line) {
        if (closing) {
            dropped.incrementAndGet();
            return false;
        }
        if (size.incrementAndGet() > capacity) {
            size.decrementAndGet();
            dropped.incrementAndGet();
            return false;
        }
        queue.offer(line);
        // Dekker-style handshake with run(): we publish the line then read 'sleeping'; the writer
        // sets 'sleeping' then re-reads the queue. One of the two sees the other (volatile order),
        // so a line is never left behind a sleeping writer; the timed park bounds it regardless.
        if (sleeping) {
            LockSupport.unpark(thread);
        }
        return true;
    }

    /** Lines refused because the queue was full (or the writer closed). */
    public long droppedLines() {
        return dropped.get();
    }

    /** Lines handed to the sink so far. */
    public long writtenLines() {
        return written.get();
    }

    /** Lines the sink failed to write (I/O errors; each is also logged, rate-limited). */
    public long writeErrors() {
        return writeErrors.get();
    }

    /** Lines waiting in the queue. */
    public int pending() {
        return size.get();
    }

    /**
     * Stops taking lines, writes every line already accepted, flushes and closes the sink, and
     * waits for the writer thread to end. Idempotent.
     */
    @Override
    public void close() {
        closing = true;
        LockSupport.unpark(thread);
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        long flushIntervalNanos = TimeUnit.MILLISECONDS.toNanos(FLUSH_INTERVAL_MS);
        long lastFlush = System.nanoTime();
        boolean dirty = false;
        try {
            while (true) {
                int n = 0;
                String line;
                while (n < BATCH && (line = queue.poll()) != null) {
                    size.decrementAndGet();
                    write(line);
                    dirty = true;
                    n++;
                }
                long now = System.nanoTime();
                boolean empty = queue.isEmpty();
                if (dirty && (empty || now - lastFlush >= flushIntervalNanos)) {
                    flush();
                    dirty = false;
                    lastFlush = now;
                }
                if (!empty) {
                    continue;
                }
                if (closing) {
                    if (queue.isEmpty()) {
                        break; // offers stop once 'closing' is seen; one last look above drained the rest
                    }
                    continue;
                }
                sleeping = true;
                if (queue.isEmpty() && !closing) {
                    LockSupport.parkNanos(this, flushIntervalNanos);
                }
                sleeping = false;
                if (Thread.interrupted()) {
                    closing = true;
                }
            }
        } finally {
            if (dirty) {
                flush();
            }
            try {
                sink.close();
            } catch (IOException | RuntimeException e) {
                LOG.warn("access log {}: closing failed: {}", name, e.toString());
            }
        }
    }

    private void write(String line) {
        try {
            sink.write(line);
            written.incrementAndGet();
        } catch (IOException | RuntimeException e) {
            long n = writeErrors.incrementAndGet();
            if (n == 1 || n % 10_000 == 0) {
                LOG.warn("access log {}: write failed ({} lines lost so far): {}", name, n, e.toString());
            }
        }
    }

    private void flush() {
        try {
            sink.flush();
        } catch (IOException | RuntimeException e) {
            LOG.warn("access log {}: flush failed: {}", name, e.toString());
        }
    }

    /** A {@link Writer}-backed sink: '\n' after each line. */
    private static final class WriterSink implements LineSink {
        private final Writer out;
        private final boolean closeOnClose;

        WriterSink(Writer out, boolean closeOnClose) {
            this.out = out;
            this.closeOnClose = closeOnClose;
        }

        @Override
        public void write(String line) throws IOException {
            out.write(line);
            out.write('\n');
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            if (closeOnClose) {
                out.close();
            } else {
                out.flush();
            }
        }
    }
}
