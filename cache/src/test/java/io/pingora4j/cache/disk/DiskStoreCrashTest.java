package io.pingora4j.cache.disk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Atomic writes against a crash: another JVM writes 4 MiB entries as fast as it can and is killed
 * (SIGKILL) in the middle of its work; every entry the folder then holds reads back whole and
 * right, and nothing half-written survives recovery.
 */
class DiskStoreCrashTest {

    static final int BODY = 4 << 20;
    static final int KEYS = 16;

    @TempDir
    Path folder;

    /** The body written under key {@code k}: the same bytes every time, different for each key. */
    static byte[] body(String k) {
        byte[] b = new byte[BODY];
        new Random(k.hashCode()).nextBytes(b);
        return b;
    }

    /** The writer the test kills: entries k0, k1, ... until it dies. */
    public static void main(String[] args) throws IOException {
        DiskStore store = new DiskStore(Path.of(args[0]));
        byte[][] bodies = new byte[KEYS][];
        for (int i = 0; i < KEYS; i++) {
            bodies[i] = body("k" + i); // made before: the loop below spends its time writing
        }
        for (int i = 0; ; i++) {
            String k = "k" + (i % KEYS); // rewrites keys too: old versions are left for recovery to sort out
            store.write(k, k.getBytes(), ByteBuffer.wrap(bodies[i % KEYS]));
        }
    }

    private long entries() throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(p -> p.toString().endsWith(DiskStore.ENTRY)).count();
        }
    }

    @Test
    void aWriterKilledMidWriteLeavesOnlyWholeEntries() throws Exception {
        Process writer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), DiskStoreCrashTest.class.getName(),
                folder.toString()).redirectErrorStream(true).redirectOutput(folder.resolve("writer.log").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (entries() < 2 * KEYS) {
                assertTrue(writer.isAlive(), "the writer died: " + Files.readString(folder.resolve("writer.log")));
                assertTrue(System.nanoTime() < deadline, "the writer wrote too little in 60 s");
                LockSupport.parkNanos(5_000_000);
            }
        } finally {
            writer.destroyForcibly(); // SIGKILL: no shutdown hook, no finally in the writer
            writer.waitFor(30, TimeUnit.SECONDS);
        }

        long cut;
        try (Stream<Path> s = Files.list(folder)) {
            cut = s.filter(p -> p.toString().endsWith(DiskStore.TEMP)).count();
        }
        System.out.println("DiskStoreCrashTest: temporary files left by the kill: " + cut);
        DiskStore store = new DiskStore(folder);
        List<DiskStore.Entry> kept = store.recover();

        assertEquals(KEYS, kept.size(), "the latest whole version of every key");
        for (DiskStore.Entry e : kept) {
            assertArrayEquals(e.key().getBytes(), e.meta(), e.key());
            assertArrayEquals(body(e.key()), store.readBody(e), e.key());
        }
        try (Stream<Path> s = Files.list(folder)) {
            assertEquals(0, s.filter(p -> p.toString().endsWith(DiskStore.TEMP)).count(), "no temporary file left");
        }
    }
}
