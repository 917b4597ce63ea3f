package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The upgrade's control socket: who answers, what a takeover request gets, and a second start refused. */
class UpgradeControlTest {

    @TempDir
    Path tmp;

    @Test
    void aTakeoverRequestIsAnsweredWithThePidAndRunsTheHandOver() throws Exception {
        Path sock = tmp.resolve("u.sock");
        CountDownLatch handedOver = new CountDownLatch(1);
        UpgradeControl.listen(sock, handedOver::countDown);

        long pid = UpgradeControl.requestTakeover(sock);

        assertEquals(ProcessHandle.current().pid(), pid);
        assertTrue(handedOver.await(10, TimeUnit.SECONDS));
        assertFalse(Files.exists(sock), "the old process gives up the socket path to its successor");
    }

    @Test
    void aLeftOverSocketFileWithNobodyBehindItIsNoAnswer() throws Exception {
        Path sock = tmp.resolve("stale.sock");
        try (ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.bind(UnixDomainSocketAddress.of(sock));
        }
        assertTrue(Files.exists(sock));
        assertFalse(UpgradeControl.answered(sock));
    }

    @Test
    void theDefaultSocketIsNamedAfterTheConfigurationsLocation() {
        assertEquals(UpgradeControl.defaultPath("/etc/a.toml"), UpgradeControl.defaultPath("/etc/a.toml"));
        assertNotEquals(UpgradeControl.defaultPath("/etc/a.toml"), UpgradeControl.defaultPath("/etc/b.toml"));
    }

    @Test
    void aSecondStartWithoutUpgradeIsRefusedWhileTheFirstAnswers() throws Exception {
        Path sock = tmp.resolve("running.sock");
        try (UpgradeControl running = UpgradeControl.listen(sock, () -> { })) {
            Path file = Files.writeString(tmp.resolve("app.toml"), """
                    [basic]
                    threads = 1
                    upgrade_sock = "%s"

                    [plugins.ok]
                    category = "ping"

                    [locations.all]
                    path = "/"
                    plugins = ["ok"]

                    [servers.http]
                    addr = "127.0.0.1:%d"
                    locations = ["all"]
                    """.formatted(sock, FreePort.pick()));
            ByteArrayOutputStream err = new ByteArrayOutputStream();

            int code = Main.run(new String[] {"-c", file.toString()}, new PrintStream(new ByteArrayOutputStream()),
                    new PrintStream(err));

            assertEquals(1, code);
            assertTrue(err.toString().startsWith(file + ": basic.upgrade_sock: a server for this configuration"
                    + " already answers on " + sock), err.toString());
            assertTrue(err.toString().contains("--upgrade"), err.toString());
        }
    }
}
