package io.pingora4j.tls.acme;

import io.pingora4j.tls.TestPki;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real Pebble ACME server (and pebble-challtestsrv as its DNS) on free loopback ports, for
 * interop tests here and in the server module (it ships in the tls test-jar).
 *
 * <p>Pebble's listener presents a certificate from a throwaway {@link TestPki} CA: point the
 * client's {@code acme_ca_file} at {@link #caFile()} and its {@code acme_directory} at {@link
 * #directory()}. Every name resolves to 127.0.0.1 (challtestsrv's default A answer; no AAAA), and
 * Pebble validates HTTP-01 by fetching {@code http://<domain>:<httpPort>/.well-known/acme-challenge/
 * <token>}: run whatever answers challenges (the server's plain listener, or a test's HttpServer) on
 * 127.0.0.1:{@code httpPort}. Pebble runs with {@code PEBBLE_VA_NOSLEEP=1} and
 * {@code PEBBLE_WFE_NONCEREJECT=0}; its issuing root (new every start) is {@link #roots()}.
 *
 * <p>{@link #start} throws (so a test fails, never skips) if either program is missing. {@link
 * #close()} stops both processes; a JVM shutdown hook does so too if a test run is killed. Both
 * programs' output goes to {@link #logFile()}, also readable as {@link #log()}.
 */
public final class PebbleHarness implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final Path workDir;
    private final Path logFile;
    private final TestPki ca;
    private final Path caFile;
    private final int httpPort;
    private final int acmePort;
    private final int managementPort;
    private final List<Process> processes = new ArrayList<>();
    private final Thread shutdownHook;
    private final HttpClient client;

    private PebbleHarness(int httpPort) throws IOException {
        this.httpPort = httpPort;
        this.workDir = Files.createTempDirectory("pebble-harness");
        this.logFile = workDir.resolve("pebble.log");
        Files.createFile(logFile);
        this.ca = TestPki.create("pebble-harness-ca");
        this.caFile = Files.writeString(workDir.resolve("ca.pem"), ca.certificatePem(), StandardCharsets.US_ASCII);
        this.acmePort = freePort();
        this.managementPort = freePort();
        this.client = HttpClient.newBuilder().sslContext(ca.trustingContext()).connectTimeout(Duration.ofSeconds(5))
                .build();
        this.shutdownHook = new Thread(this::destroyAll, "pebble-harness-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Starts challtestsrv and Pebble, and returns once Pebble serves its directory.
     *
     * @param httpPort the port Pebble sends HTTP-01 validation requests to (on 127.0.0.1)
     * @throws IllegalStateException if a program is missing, exits, or does not come up in time (with
     *     its log)
     */
    public static PebbleHarness start(int httpPort) throws IOException, InterruptedException {
        Path pebble = executable("pebble");
        Path challtestsrv = executable("pebble-challtestsrv");
        PebbleHarness h = new PebbleHarness(httpPort);
        try {
            h.startProcesses(pebble, challtestsrv);
            return h;
        } catch (IOException | InterruptedException | RuntimeException e) {
            h.close();
            throw e;
        }
    }

    private void startProcesses(Path pebble, Path challtestsrv) throws IOException, InterruptedException {
        int dnsPort = freeTcpAndUdpPort();
        int dnsManagementPort = freePort();
        Process dns = launch(List.of(challtestsrv.toString(),
                "-defaultIPv4", "127.0.0.1",
                "-defaultIPv6", "", // no AAAA: Pebble dials 127.0.0.1 only
                "-dns01", "127.0.0.1:" + dnsPort,
                "-http01", "", "-https01", "", "-tlsalpn01", "",
                "-management", "127.0.0.1:" + dnsManagementPort), Map.of());
        awaitListening(dns, "pebble-challtestsrv DNS", dnsPort);

        TestPki.Leaf listener = ca.issue("localhost", "127.0.0.1");
        Path[] files = listener.write(workDir, "pebble-listener");
        int unusedTlsPort = freePort(); // TLS-ALPN-01 is never offered an answer here
        String config = """
                {
                  "pebble": {
                    "listenAddress": "127.0.0.1:%d",
                    "managementListenAddress": "127.0.0.1:%d",
                    "certificate": "%s",
                    "privateKey": "%s",
                    "httpPort": %d,
                    "tlsPort": %d,
                    "ocspResponderURL": "",
                    "externalAccountBindingRequired": false
                  }
                }
                """.formatted(acmePort, managementPort, files[0], files[1], httpPort, unusedTlsPort);
        Path configFile = Files.writeString(workDir.resolve("pebble-config.json"), config);
        Process acme = launch(List.of(pebble.toString(), "-config", configFile.toString(),
                "-dnsserver", "127.0.0.1:" + dnsPort),
                Map.of("PEBBLE_VA_NOSLEEP", "1", "PEBBLE_WFE_NONCEREJECT", "0"));
        awaitDirectory(acme);
    }

    /** The ACME directory URL, {@code https://127.0.0.1:<port>/dir}. */
    public URI directory() {
        return URI.create("https://127.0.0.1:" + acmePort + "/dir");
    }

    /** PEM of the CA that signed Pebble's listener certificate: the client's {@code acme_ca_file}. */
    public Path caFile() {
        return caFile;
    }

    /** The port Pebble validates HTTP-01 against. */
    public int httpPort() {
        return httpPort;
    }

    /** Pebble's issuing root, from its management endpoint {@code /roots/0} (new on every start). */
    public List<X509Certificate> roots() throws IOException, InterruptedException {
        HttpResponse<byte[]> r = client.send(
                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + managementPort + "/roots/0")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IOException("Pebble /roots/0 answered " + r.statusCode());
        }
        try {
            List<X509Certificate> roots = new ArrayList<>();
            CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(r.body()))
                    .forEach(c -> roots.add((X509Certificate) c));
            return roots;
        } catch (CertificateException e) {
            throw new IOException("Pebble /roots/0 is not PEM", e);
        }
    }

    /** Where both programs log. */
    public Path logFile() {
        return logFile;
    }

    /** Both programs' log lines so far. */
    public List<String> log() {
        try {
            return Files.readAllLines(logFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops both programs (TERM, then KILL) and deletes the working directory. */
    @Override
    public void close() {
        destroyAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run
        }
        try (Stream<Path> files = Files.walk(workDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind
        }
    }

    private synchronized void destroyAll() {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        processes.clear();
    }

    private synchronized Process launch(List<String> command, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        pb.environment().putAll(env);
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    private void awaitListening(Process p, String what, int port) throws InterruptedException {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(LOOPBACK, port), 1000);
                return;
            } catch (IOException notYet) {
                check(p, what, deadline);
                Thread.sleep(50); // polling an outside process: there is nothing to wait on
            }
        }
    }

    private void awaitDirectory(Process p) throws InterruptedException {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (true) {
            try {
                HttpResponse<Void> r = client.send(HttpRequest.newBuilder(directory()).timeout(Duration.ofSeconds(5))
                        .build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            check(p, "pebble", deadline);
            Thread.sleep(50);
        }
    }

    private void check(Process p, String what, Instant deadline) {
        if (!p.isAlive()) {
            throw new IllegalStateException(what + " exited with " + p.exitValue() + "; log:\n" + String.join("\n", log()));
        }
        if (Instant.now().isAfter(deadline)) {
            throw new IllegalStateException(what + " did not come up within " + START_TIMEOUT + "; log:\n"
                    + String.join("\n", log()));
        }
    }

    private static Path executable(String name) {
        String path = System.getenv("PATH");
        List<String> dirs = new ArrayList<>(List.of((path == null ? "" : path).split(java.io.File.pathSeparator)));
        dirs.add("/usr/bin");
        for (String dir : dirs) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(name + " is not installed (not on PATH nor in /usr/bin): the ACME interop"
                + " tests need it (Debian: apt-get install pebble)");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
            return s.getLocalPort();
        }
    }

    /** A port free for both TCP and UDP on loopback (challtestsrv serves DNS on both). */
    private static int freeTcpAndUdpPort() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket tcp = new ServerSocket(0, 1, LOOPBACK);
                    DatagramSocket udp = new DatagramSocket(new InetSocketAddress(LOOPBACK, tcp.getLocalPort()))) {
                return tcp.getLocalPort();
            } catch (IOException udpTaken) {
                // try another
            }
        }
        throw new IOException("no loopback port free for both TCP and UDP");
    }
}
