package io.pingora4j.server.metrics;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The process, as an operator sees it: resident memory, open files, threads, direct buffers, the
 * collectors' work, uptime. Read from {@code /proc/self} where there is one (Linux), else from
 * the JVM's beans alone (memory and descriptors then read -1).
 *
 * <p>Reading touches files: call it off the event loops (the scrape and the stats plugin run on
 * their own thread). Each call takes a fresh snapshot. Thread-safe.
 */
public record ProcessFigures(long residentBytes, long openFds, long maxFds, int threads, long directBufferBytes,
                             long directBufferCount, List<Gc> gcs, long startMillis, long uptimeMillis, int cpus,
                             long heapUsedBytes, long heapMaxBytes) {

    /** One garbage collector: how often it ran, and for how long in all. */
    public record Gc(String name, long collections, long millis) {
    }

    public static ProcessFigures now() {
        var runtime = ManagementFactory.getRuntimeMXBean();
        long direct = 0;
        long directCount = 0;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                direct = pool.getMemoryUsed();
                directCount = pool.getCount();
            }
        }
        List<Gc> gcs = new ArrayList<>();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcs.add(new Gc(gc.getName(), Math.max(0, gc.getCollectionCount()), Math.max(0, gc.getCollectionTime())));
        }
        var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return new ProcessFigures(readResidentBytes(), countOpenFds(), readMaxFds(), ManagementFactory.getThreadMXBean().getThreadCount(),
                direct, directCount, List.copyOf(gcs), runtime.getStartTime(), runtime.getUptime(),
                Runtime.getRuntime().availableProcessors(), heap.getUsed(), heap.getMax());
    }

    /** VmRSS of /proc/self/status, in bytes; -1 where there is none. */
    static long readResidentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    String kb = line.substring(6).trim();
                    int space = kb.indexOf(' ');
                    return Long.parseLong(space < 0 ? kb : kb.substring(0, space)) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or a kernel that says it otherwise
        }
        return -1;
    }

    /** Entries of /proc/self/fd; -1 where there is none. */
    static long countOpenFds() {
        Path fd = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fd)) {
            return -1;
        }
        long n = 0;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(fd)) {
            for (Path ignored : s) {
                n++;
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return n - 1; // the stream's own descriptor
    }

    /** The soft limit on open files ("Max open files" of /proc/self/limits); -1 where unknown. */
    static long readMaxFds() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String[] f = line.substring("Max open files".length()).trim().split("\\s+");
                    return f[0].equals("unlimited") ? -1 : Long.parseLong(f[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // as residentBytes
        }
        return -1;
    }
}
