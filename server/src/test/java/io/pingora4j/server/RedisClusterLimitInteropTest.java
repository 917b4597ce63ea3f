package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The limit plugin's {@code store = "redis-cluster://..."} against a real Redis Cluster: one
 * {@code redis-server --cluster-enabled yes} node holding every slot (Debian's {@code redis-server}
 * and {@code redis-cli}; the test fails when they are missing).
 */
@Tag("interop")
class RedisClusterLimitInteropTest {

    @TempDir
    Path dir;
    private RedisServer redis;
    private int redisPort;
    private TestOrigin origin;
    private RunningProxy a;
    private RunningProxy b;

    @BeforeEach
    void start() throws Exception {
        String cli = Tools.path("redis-cli", "redis-tools");
        redisPort = FreePort.pickAtMost(55535); // its cluster bus is on port + 10,000
        redis = RedisServer.start(dir, redisPort,
                "--cluster-enabled", "yes", "--cluster-config-file", dir.resolve("nodes.conf").toString());
        assertTrue(run(cli, "cluster", "addslotsrange", "0", "16383").contains("OK"));
        Await.until("the one-node cluster ok", Duration.ofSeconds(30),
                () -> run(cli, "cluster", "info").contains("cluster_state:ok"));
        origin = TestOrigin.start("a");
        a = proxy();
        b = proxy();
    }

    private String run(String cli, String... args) {
        String[] command = new String[args.length + 3];
        command[0] = cli;
        command[1] = "-p";
        command[2] = Integer.toString(redisPort);
        System.arraycopy(args, 0, command, 3, args.length);
        try {
            return Tools.run(dir, Duration.ofSeconds(10), command).output();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private RunningProxy proxy() {
        return RunningProxy.start(port -> """
                [basic]
                threads = 1

                [upstreams.backend]
                addrs = ["%1$s"]

                [plugins.fleet]
                category = "limit"
                max = 10
                interval = "1m"
                weight = 0.0
                store = "redis-cluster://127.0.0.1:%3$d"

                [locations.api]
                path = "/"
                upstream = "backend"
                plugins = ["fleet"]

                [servers.http]
                addr = "127.0.0.1:%2$d"
                locations = ["api"]
                """.formatted(origin.addr(), port, redisPort));
    }

    @AfterEach
    void stop() throws InterruptedException {
        for (AutoCloseable c : new AutoCloseable[] {a, b, origin, redis}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // closing the rest matters more
            }
        }
    }

    @Test
    void twoProxiesShareALimitThroughARedisCluster() throws Exception {
        for (int i = 0; i < 10; i++) {
            assertEquals(200, WireClient.exchange(a.port(), "GET /x HTTP/1.1", "Host: localhost").status());
        }
        RedisClusterClient client = RedisClusterClient.create(RedisURI.create("redis://127.0.0.1:" + redisPort));
        try (StatefulRedisClusterConnection<String, String> c = client.connect()) {
            Await.until("proxy a's 10 counted in the cluster", () -> c.sync().keys("pingora4j:limit:fleet:*").stream()
                    .mapToLong(k -> Long.parseLong(c.sync().get(k))).sum() == 10);
        } finally {
            client.shutdown();
        }

        int admittedByB = 0;
        while (WireClient.exchange(b.port(), "GET /x HTTP/1.1", "Host: localhost").status() == 200) {
            admittedByB++;
            assertTrue(admittedByB < 10, "proxy b admitted 10 on its own: the count was not shared");
        }
    }
}
