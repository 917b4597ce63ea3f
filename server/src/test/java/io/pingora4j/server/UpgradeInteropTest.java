package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pingora4j -c FILE --upgrade} under load: wrk keeps 20 connections busy through the proxy
 * while a new process takes over the listeners; the old one drains and exits. Five upgrades in a
 * row, each under its own 6 s wrk run (shortened from the 10 s to keep the suite's time
 * down; the upgrade itself lands within the first seconds of each run). The binary is run as
 * {@code java -cp <test class path> io.pingora4j.server.Main}, as the other interop tests do.
 */
@Tag("interop")
class UpgradeInteropTest {

    private static final int UPGRADES = 5;
    private static final Pattern TOOK_OVER = Pattern.compile("took over the listeners from pid (\\d+)");

    @TempDir
    Path tmp;
    private TestOrigin origin;
    private Process current;

    @AfterEach
    void stop() throws InterruptedException {
        try {
            if (current != null && current.isAlive()) {
                current.destroyForcibly();
                current.waitFor(10, TimeUnit.SECONDS);
            }
        } finally {
            if (origin != null) {
                origin.close();
            }
        }
    }

    @Test
    void fiveUpgradesInARowUnderLoadFailNoRequestAndEachOldProcessExits() throws Exception {
        String wrk = Tools.path("wrk", "wrk");
        origin = TestOrigin.start("a");
        ServerProcess first = ServerProcess.launch(tmp, p -> """
                [basic]
                threads = 2
                grace_period = "10s"

                [upstreams.backend]
                addrs = ["%s"]

                [locations.api]
                path = "/api"
                upstream = "backend"

                [servers.http]
                addr = "127.0.0.1:%d"
                locations = ["api"]
                """.formatted(origin.addr(), p));
        current = first.process();
        int port = first.port();
        Path conf = tmp.resolve("pingora4j.toml");
        long total = 0;
        for (int i = 1; i <= UPGRADES; i++) {
            Path wrkOut = tmp.resolve("wrk-" + i + ".out");
            Process load = new ProcessBuilder(wrk, "-t1", "-c20", "-d6s", "--timeout", "5s",
                    "http://127.0.0.1:" + port + "/api/load")
                    .redirectErrorStream(true).redirectOutput(wrkOut.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();

            long oldPid = current.pid();
            Path out = tmp.resolve("upgrade-" + i + ".out");
            Path err = tmp.resolve("upgrade-" + i + ".err");
            Process next = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:+UseSerialGC", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                    Main.class.getName(), "-c", conf.toString(), "--upgrade")
                    .directory(tmp.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            Await.until("upgrade " + i + " taking over (stderr: " + err + ")", Duration.ofSeconds(30),
                    () -> TOOK_OVER.matcher(ServerProcess.read(out)).find() || !next.isAlive());
            Matcher m = TOOK_OVER.matcher(ServerProcess.read(out));
            assertTrue(m.find(), "upgrade " + i + " did not take over:\n" + ServerProcess.read(out) + "\n"
                    + ServerProcess.read(err));
            assertEquals(oldPid, Long.parseLong(m.group(1)), "upgrade " + i + " took over from another process");
            Process old = current;
            current = next;
            assertTrue(old.waitFor(20, TimeUnit.SECONDS), "upgrade " + i + ": the old process " + oldPid
                    + " did not exit");
            assertEquals(0, old.exitValue());

            assertTrue(load.waitFor(30, TimeUnit.SECONDS), "wrk did not finish");
            String report = ServerProcess.read(wrkOut);
            Matcher requests = Pattern.compile("(\\d+) requests in").matcher(report);
            assertTrue(requests.find() && Long.parseLong(requests.group(1)) > 0, report);
            total += Long.parseLong(requests.group(1));
            assertTrue(!report.contains("Non-2xx or 3xx responses") && !report.contains("Socket errors"),
                    "upgrade " + i + ": failed requests under load:\n" + report);
            WireClient.Response r = WireClient.exchange(port, "GET /api/after HTTP/1.1", "Host: localhost");
            assertEquals(200, r.status(), "the new process serves after upgrade " + i);
            assertTrue(current.isAlive(), "the new process of upgrade " + i + " exited");
        }
        System.out.printf("%d upgrades under load: %d requests, 0 failed%n", UPGRADES, total);
    }
}
