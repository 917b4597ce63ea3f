package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.server.ScriptedOrigin.Reply;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What is particular to the {@code cache} plugin's {@code directory}: responses are files, bounded
 * by {@code max_size} through the same admission and eviction as in memory, a damaged file is a
 * miss, and what was stored is served after the server is killed and started again. (The RFC 9111
 * behaviour on disk is {@link CachePluginOnDiskEndToEndTest}'s and
 * {@link CacheRevalidationOnDiskEndToEndTest}'s.)
 */
class CacheOnDiskEndToEndTest {

    @TempDir
    Path tmp;
    private ScriptedOrigin origin;
    private RunningProxy proxy;
    private ServerProcess process;

    @AfterEach
    void stop() throws InterruptedException {
        if (process != null) {
            process.process().destroyForcibly();
            process.process().waitFor(30, TimeUnit.SECONDS);
        }
        if (proxy != null) {
            proxy.close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    private String config(int port, Path folder, String keys) {
        return """
                [upstreams.backend]
                addrs = ["%s"]

                [plugins.pageCache]
                category = "cache"
                directory = "%s"
                lock = "10s"
                purge_ip_list = ["127.0.0.1"]
                %s

                [locations.all]
                path = "/"
                upstream = "backend"
                plugins = ["pageCache"]

                [servers.http]
                addr = "127.0.0.1:%d"
                locations = ["all"]
                """.formatted(origin.addr(), folder, keys, port);
    }

    private void start(Path folder, String keys) throws IOException {
        origin = ScriptedOrigin.start(r -> Reply.of(200, body(r.uri()), "Cache-Control", "max-age=600"));
        proxy = RunningProxy.start(port -> config(port, folder, keys));
    }

    /** 10 KB, different for each path. */
    private static String body(String uri) {
        StringBuilder sb = new StringBuilder(10_000);
        while (sb.length() < 10_000) {
            sb.append(uri).append(' ');
        }
        return sb.substring(0, 10_000);
    }

    private static List<Path> entries(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(p -> p.toString().endsWith(".entry")).toList();
        }
    }

    private static long bytes(Path folder) throws IOException {
        long n = 0;
        for (Path p : entries(folder)) {
            n += Files.size(p);
        }
        return n;
    }

    private WireClient.Response get(int port, String path) throws IOException {
        return WireClient.exchange(port, "GET " + path + " HTTP/1.1", "Host: cache.test");
    }

    @Test
    void aStoredResponseIsAFileAndIsServedFromIt() throws IOException {
        Path folder = tmp.resolve("cache");
        start(folder, "");

        WireClient.Response miss = get(proxy.port(), "/a");
        WireClient.Response hit = get(proxy.port(), "/a");

        assertEquals("MISS", miss.header("X-Cache"));
        assertEquals("HIT", hit.header("X-Cache"));
        assertEquals(body("/a"), hit.body());
        assertEquals(1, origin.seen().size());
        assertEquals(1, entries(folder).size());
    }

    @Test
    void theNamespaceIsASubFolder() throws IOException {
        Path folder = tmp.resolve("cache");
        start(folder, "namespace = \"web\"");

        get(proxy.port(), "/a");
        get(proxy.port(), "/a");

        assertEquals(1, entries(folder.resolve("web")).size());
    }

    @Test
    void theFolderStaysWithinMaxSizeAsTheCacheEvicts() throws IOException {
        Path folder = tmp.resolve("cache");
        start(folder, "max_size = \"100kb\"");

        for (int i = 0; i < 40; i++) { // 400 KB of responses, each asked twice (a second use earns admission)
            get(proxy.port(), "/p" + i);
            get(proxy.port(), "/p" + i);
        }

        Await.until("the evicted entries' files deleted", () -> {
            try {
                return bytes(folder) <= 100_000;
            } catch (IOException e) {
                return false;
            }
        });
        int held = entries(folder).size();
        assertTrue(held >= 2 && held <= 9, "10 KB entries within 100 kB: " + held);
        int before = origin.seen().size();
        assertEquals("MISS", get(proxy.port(), "/p0").header("X-Cache"), "an evicted response is fetched again");
        assertEquals(before + 1, origin.seen().size());
    }

    @Test
    void aDamagedFileIsAMissAndIsFetchedAgain() throws IOException {
        Path folder = tmp.resolve("cache");
        start(folder, "");
        get(proxy.port(), "/d");
        get(proxy.port(), "/d");
        Path file = entries(folder).get(0);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(f.length() - 100); // inside the body
            int b = f.read();
            f.seek(f.length() - 100);
            f.write(b ^ 0xff);
        }

        WireClient.Response r = get(proxy.port(), "/d");

        assertEquals(200, r.status());
        assertEquals(body("/d"), r.body());
        assertEquals("MISS", r.header("X-Cache"));
        assertEquals(2, origin.seen().size());
        Await.until("the damaged file replaced", () -> {
            try {
                return !Files.exists(file) && entries(folder).size() == 1;
            } catch (IOException e) {
                return false;
            }
        });
    }

    @Test
    void aPurgeDeletesTheFile() throws IOException {
        Path folder = tmp.resolve("cache");
        start(folder, "");
        get(proxy.port(), "/x");
        get(proxy.port(), "/x");
        assertEquals(1, entries(folder).size());

        WireClient.Response purge = WireClient.exchange(proxy.port(), "PURGE /x HTTP/1.1", "Host: cache.test");

        assertEquals(204, purge.status());
        Await.until("the purged file deleted", () -> {
            try {
                return entries(folder).isEmpty();
            } catch (IOException e) {
                return false;
            }
        });
        assertEquals("MISS", get(proxy.port(), "/x").header("X-Cache"));
    }

    @Test
    void aPurgeRightAfterAFetchWinsOverItsWriteInFlight() throws IOException {
        Path folder = tmp.resolve("cache");
        start(folder, "");

        for (int i = 0; i < 20; i++) { // the purge lands before, during or after the file is written
            get(proxy.port(), "/race" + i);
            WireClient.Response purge = WireClient.exchange(proxy.port(), "PURGE /race" + i + " HTTP/1.1", "Host: cache.test");
            assertEquals(204, purge.status(), "/race" + i);
            assertEquals("MISS", get(proxy.port(), "/race" + i).header("X-Cache"), "/race" + i);
        }

        assertEquals(40, origin.seen().size());
    }

    @Test
    void whatWasStoredIsServedAfterTheServerIsKilledAndStartedAgain() throws Exception {
        Path folder = tmp.resolve("cache");
        origin = ScriptedOrigin.start(r -> Reply.of(200, body(r.uri()), "Cache-Control", "max-age=600"));
        Path run = Files.createDirectories(tmp.resolve("run"));
        process = ServerProcess.launch(run, port -> config(port, folder, ""));
        get(process.port(), "/kept");
        assertEquals("HIT", get(process.port(), "/kept").header("X-Cache"));
        process.process().destroyForcibly(); // SIGKILL: nothing is flushed or closed
        process.process().waitFor(30, TimeUnit.SECONDS);

        process = ServerProcess.launch(run, port -> config(port, folder, ""));
        Await.until("the restarted server answering /kept from its folder", Duration.ofSeconds(20), () -> {
            try {
                return "HIT".equals(get(process.port(), "/kept").header("X-Cache"));
            } catch (IOException e) {
                return false;
            }
        });
        WireClient.Response r = get(process.port(), "/kept");

        assertEquals(body("/kept"), r.body());
        assertEquals(1, origin.seen().size(), "the origin saw only the first run's request");
    }
}
