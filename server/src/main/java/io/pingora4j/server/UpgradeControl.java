package io.pingora4j.server;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The zero-downtime upgrade's control socket ({@code [basic] upgrade_sock}): a unix-domain socket a
 * running server listens on so that a new process started with {@code --upgrade} can tell it to hand
 * over. The new process binds its listeners beside the old ones first (SO_REUSEPORT, same user),
 * then sends {@code takeover <pid>}; the old process closes its control socket, answers
 * {@code ok <pid>}, stops accepting and drains ({@code Server.handOver}), and exits. The new process
 * then listens on the control socket in its turn.
 *
 * <p>The protocol is one line each way. The accept thread is a daemon of its own: nothing here
 * runs on an event loop.
 */
final class UpgradeControl implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(UpgradeControl.class);
    static final Path MIGRATE_REQ = Path.of("/proc/sys/net/ipv4/tcp_migrate_req");
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(10);

    private final Path path;
    private final ServerSocketChannel channel;
    private final Thread acceptor;

    private UpgradeControl(Path path, ServerSocketChannel channel, Runnable onTakeover) {
        this.path = path;
        this.channel = channel;
        this.acceptor = new Thread(() -> serve(onTakeover), "pingora4j-upgrade-control");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * The default socket for a configuration: in the temporary folder, named after a digest of where
     * the configuration comes from, so two servers with different configurations never meet.
     */
    static Path defaultPath(String configSource) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(configSource.getBytes(StandardCharsets.UTF_8));
            String name = "pingora4j-" + HexFormat.of().formatHex(d, 0, 6) + ".sock";
            return Path.of(System.getProperty("java.io.tmpdir")).resolve(name);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether a server answers on {@code path} (a left-over file with nobody behind it does not). */
    static boolean answered(Path path) {
        if (!Files.exists(path)) {
            return false;
        }
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Listens on {@code path} (a stale file is removed first); {@code onTakeover} runs on the
     * control thread after the new process was answered.
     */
    static UpgradeControl listen(Path path, Runnable onTakeover) throws IOException {
        Files.deleteIfExists(path);
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        ch.bind(UnixDomainSocketAddress.of(path));
        return new UpgradeControl(path, ch, onTakeover);
    }

    private void serve(Runnable onTakeover) {
        while (channel.isOpen()) {
            try (SocketChannel c = channel.accept()) {
                String line = readLine(c);
                if (line == null || !line.startsWith("takeover ")) {
                    continue; // a probe (answered()) or garbage
                }
                LOG.info("upgrade: process {} takes over the listeners; draining", line.substring(9).trim());
                close();
                c.write(ByteBuffer.wrap(("ok " + ProcessHandle.current().pid() + "\n")
                        .getBytes(StandardCharsets.US_ASCII)));
                onTakeover.run();
                return;
            } catch (IOException e) {
                if (channel.isOpen()) {
                    LOG.warn("upgrade control socket {}: {}", path, e.toString());
                }
            }
        }
    }

    /**
     * From the new process, its listeners bound: asks the process on {@code path} to hand over and
     * waits for its answer.
     *
     * @return the old process's pid
     * @throws IOException when nobody answers, or not as expected
     */
    static long requestTakeover(Path path) throws IOException {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            ch.write(ByteBuffer.wrap(("takeover " + ProcessHandle.current().pid() + "\n")
                    .getBytes(StandardCharsets.US_ASCII)));
            // the old process answers at once (before it drains); bounded all the same
            Thread watchdog = new Thread(() -> {
                try {
                    Thread.sleep(ANSWER_TIMEOUT.toMillis()); // a timeout, not a synchronisation
                    ch.close();
                } catch (InterruptedException | IOException ignored) {
                    // answered in time
                }
            }, "pingora4j-upgrade-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
            String answer = readLine(ch);
            watchdog.interrupt();
            if (answer == null || !answer.startsWith("ok ")) {
                throw new IOException("unexpected answer from " + path + ": " + answer);
            }
            return Long.parseLong(answer.substring(3).trim());
        }
    }

    private static String readLine(SocketChannel c) throws IOException {
        var in = Channels.newInputStream(c);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 256; i++) {
            int ch = in.read();
            if (ch < 0) {
                return b.length() == 0 ? null : b.toString();
            }
            if (ch == '\n') {
                return b.toString();
            }
            b.append((char) ch);
        }
        return b.toString();
    }

    /**
     * Linux drops connections queued on a closing SO_REUSEPORT listener unless
     * {@code net.ipv4.tcp_migrate_req = 1} (Linux 5.14+) moves them to another listener of the group.
     * Sets it when it is 0 and we may (root); says what it found.
     *
     * @return a warning to print, or null when migration is on
     */
    static String ensureMigrateReq() {
        try {
            if (!Files.exists(MIGRATE_REQ)) {
                return "net.ipv4.tcp_migrate_req does not exist here (Linux < 5.14?): connections queued on the"
                        + " old listeners at the moment they close may be reset";
            }
            if (Files.readString(MIGRATE_REQ).trim().equals("1")) {
                return null;
            }
            if (!Boolean.parseBoolean(System.getProperty("pingora4j.upgrade.sysctl", "true"))) {
                return "net.ipv4.tcp_migrate_req is 0 (left alone: -Dpingora4j.upgrade.sysctl=false): connections"
                        + " queued on the old listeners at the moment they close may be reset";
            }
            Files.writeString(MIGRATE_REQ, "1\n");
            LOG.info("upgrade: set net.ipv4.tcp_migrate_req = 1 (queued connections move to the new listeners)");
            return null;
        } catch (IOException | SecurityException e) {
            return "net.ipv4.tcp_migrate_req is 0 and cannot be set (" + e.getMessage() + "): run"
                    + " 'sysctl -w net.ipv4.tcp_migrate_req=1' as root, else connections queued on the old"
                    + " listeners at the moment they close may be reset";
        }
    }

    Path path() {
        return path;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // a stale file is removed by the next listener
        }
    }

    /** Waits (bounded) for a process to exit: used by the new process to report the old one gone. */
    static boolean awaitExit(long pid, Duration timeout) {
        return ProcessHandle.of(pid).map(h -> {
            try {
                h.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                return true;
            } catch (Exception e) {
                return !h.isAlive();
            }
        }).orElse(true);
    }
}
