package io.pingora4j.server;

import io.pingora4j.server.ScriptedOrigin.Reply;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;

/**
 * The fixture of the {@code cache} plugin's end-to-end tests: the real server with a cache in front
 * of a scripted origin. Staleness is made without waiting: an origin's {@code Age} larger than
 * {@code max-age} makes a response stale on arrival.
 */
abstract class CachePluginFixture {

    ScriptedOrigin origin;
    RunningProxy proxy;

    @AfterEach
    void stop() {
        try {
            if (proxy != null) {
                proxy.close();
            }
        } finally {
            if (origin != null) {
                origin.close();
            }
        }
    }

    void start(Function<ScriptedOrigin.Request, Reply> script, String pluginKeys) throws IOException {
        origin = ScriptedOrigin.start(script);
        proxy = RunningProxy.start(port -> """
                [upstreams.backend]
                addrs = ["%1$s"]

                [plugins.pageCache]
                category = "cache"
                lock = "10s"
                purge_ip_list = ["127.0.0.1", "::1"]
                %3$s
                %4$s

                [locations.all]
                path = "/"
                upstream = "backend"
                plugins = ["pageCache"]

                [servers.http]
                addr = "127.0.0.1:%2$d"
                locations = ["all"]
                """.formatted(origin.addr(), port, pluginKeys, storeKeys()));
    }

    /** Keys choosing the store: none (memory); the on-disk runs of the same tests give a directory. */
    String storeKeys() {
        return "";
    }

    void start(Function<ScriptedOrigin.Request, Reply> script) throws IOException {
        start(script, "");
    }

    WireClient.Response request(String method, String path, String... fields) throws IOException {
        String[] lines = new String[fields.length + 2];
        lines[0] = method + " " + path + " HTTP/1.1";
        lines[1] = "Host: cache.test";
        System.arraycopy(fields, 0, lines, 2, fields.length);
        return WireClient.exchange(proxy.port(), lines);
    }

    WireClient.Response get(String path, String... fields) throws IOException {
        return request("GET", path, fields);
    }

    int originRequests() {
        return origin.seen().size();
    }

    static void await(CountDownLatch latch) {
        try {
            if (!latch.await(20, TimeUnit.SECONDS)) {
                throw new AssertionError("the test never released the origin");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
