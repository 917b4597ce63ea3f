package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} (Debian's; a test using it fails when it is missing) on a loopback
 * port with its files in a folder, nothing persisted, for the interop tests.
 */
final class RedisServer implements AutoCloseable {

    final int port;
    private final Process process;

    private RedisServer(int port, Process process) {
        this.port = port;
        this.process = process;
    }

    /** Starts one on {@code port} in {@code dir}, with {@code extra} arguments, and waits until it answers PING. */
    static RedisServer start(Path dir, int port, String... extra) throws IOException {
        List<String> command = new ArrayList<>(List.of(Tools.path("redis-server", "redis-server"),
                "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString()));
        command.addAll(List.of(extra));
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        Await.until("redis-server answering PING on " + port, Duration.ofSeconds(30), () -> ping(port) || !p.isAlive());
        assertTrue(p.isAlive(), "redis-server exited: " + ServerProcess.read(dir.resolve("redis.log")));
        return new RedisServer(port, p);
    }

    /** Kills it and waits for it to be gone. */
    void stop() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    static boolean ping(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[7];
            int n = in.readNBytes(buf, 0, 7);
            return n == 7 && new String(buf, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }
}
