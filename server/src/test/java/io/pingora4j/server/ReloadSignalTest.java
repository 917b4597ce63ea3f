package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The binary, as a process, reloads on SIGHUP (it used to die with 129) and refuses a broken file. */
class ReloadSignalTest {

    @TempDir
    Path dir;
    private TestOrigin a;
    private TestOrigin b;
    private ServerProcess process;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        a = TestOrigin.start("a");
        b = TestOrigin.start("b");
        process = ServerProcess.launch(dir, port -> config(port, a));
    }

    @AfterEach
    void stop() {
        if (process != null) {
            process.process().destroy();
        }
        a.close();
        b.close();
    }

    private static String config(int port, TestOrigin origin) {
        return """
                [upstreams.up]
                addrs = ["%s"]

                [locations.all]
                path = "/"
                upstream = "up"

                [servers.main]
                addr = "127.0.0.1:%d"
                locations = ["all"]
                """.formatted(origin.addr(), port);
    }

    private String body() {
        try {
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + process.port() + "/"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            return e.toString();
        }
    }

    private void hangUp() throws Exception {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(process.process().pid())).inheritIO().start();
        assertEquals(0, kill.waitFor());
    }

    @Test
    void sighupReloadsTheFileAndTheProcessKeepsRunning() throws Exception {
        assertEquals("a", body());
        Files.writeString(dir.resolve("pingora4j.toml"), config(process.port(), b));
        hangUp();
        Await.until("the reloaded upstream answering", Duration.ofSeconds(1), () -> body().equals("b"));
        assertTrue(process.process().isAlive());
    }

    @Test
    void sighupRightAfterStartingReloadsRatherThanKills() throws Exception {
        Files.writeString(dir.resolve("pingora4j.toml"), config(process.port(), b));
        hangUp(); // the launcher returns as soon as "serving" is printed
        Await.until("the reloaded upstream answering", Duration.ofSeconds(1), () -> body().equals("b"));
        assertTrue(process.process().isAlive());
    }

    @Test
    void sighupWithABrokenFileLogsTheRefusalAndKeepsServing() throws Exception {
        Files.writeString(dir.resolve("pingora4j.toml"), config(process.port(), b).replace("upstream = \"up\"",
                "upstream = \"gone\""));
        hangUp();
        Path err = dir.resolve("server.err");
        try {
            Await.until("the refusal in the log", () -> ServerProcess.read(err).contains("locations.all.upstream: unknown upstream 'gone'"));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; stderr:\n" + ServerProcess.read(err), e);
        }
        assertTrue(ServerProcess.read(err).contains("new configuration refused"), ServerProcess.read(err));
        assertEquals("a", body());
        assertTrue(process.process().isAlive());
    }
}
