package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real etcd (Debian's {@code etcd-server}; a test using it fails when it is missing) on free
 * loopback ports with its data in a folder, for the interop tests: started, stopped and started
 * again on the same ports and data.
 */
final class EtcdServer implements AutoCloseable {

    final int clientPort = FreePort.pick();
    private final int peerPort = FreePort.pick();
    private final Path dir;
    private Process process;

    private EtcdServer(Path dir) {
        this.dir = dir;
    }

    /** Starts one in {@code dir} and waits until it answers {@code /health}. */
    static EtcdServer start(Path dir) throws IOException {
        EtcdServer e = new EtcdServer(dir);
        e.startAgain();
        return e;
    }

    /** Starts the process (again, after {@link #stop()}), on the same ports and data. */
    void startAgain() throws IOException {
        String client = "http://127.0.0.1:" + clientPort;
        String peer = "http://127.0.0.1:" + peerPort;
        process = new ProcessBuilder(Tools.path("etcd", "etcd-server"), "--name", "t",
                "--data-dir", dir.resolve("etcd").toString(),
                "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "t=" + peer)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("etcd.log").toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        Await.until("etcd answering /health on " + clientPort, Duration.ofSeconds(30), this::healthy);
    }

    /** Stops it gracefully (SIGTERM) and waits for the exit. */
    void stop() throws InterruptedException {
        process.destroy();
        assertTrue(process.waitFor(20, TimeUnit.SECONDS), "etcd did not stop");
    }

    /** {@code etcd://127.0.0.1:PORT/pingora4j} with short timeouts. */
    String url() {
        return "etcd://127.0.0.1:" + clientPort + "/pingora4j?timeout=2s&connect_timeout=1s";
    }

    /** The JSON gateway's address, for reading keys behind the proxy's back. */
    String gateway() {
        return "http://127.0.0.1:" + clientPort;
    }

    private boolean healthy() {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(gateway() + "/health")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && r.body().contains("true");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
