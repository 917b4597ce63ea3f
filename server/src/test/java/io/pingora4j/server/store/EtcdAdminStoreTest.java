package io.pingora4j.server.store;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.server.admin.ConfigStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The admin's etcd store when nothing answers on the etcd address (the interop test has a real etcd). */
class EtcdAdminStoreTest {

    private static ConfigStore storeOnAClosedPort() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return new EtcdConfigSource(EtcdUrl.parse("etcd://127.0.0.1:" + port + "/p?timeout=1s&connect_timeout=1s"))
                .adminStore();
    }

    @Test
    void readingWithEtcdDownIsUnavailableNamingTheStore() throws Exception {
        ConfigStore store = storeOnAClosedPort();

        ConfigStore.Unavailable e = assertThrows(ConfigStore.Unavailable.class, store::read);

        assertTrue(e.getMessage().startsWith("cannot reach the configuration store " + store.describe()), e.getMessage());
    }

    @Test
    void preparingAWriteWithEtcdDownIsUnavailable() throws Exception {
        ConfigStore store = storeOnAClosedPort();

        assertThrows(ConfigStore.Unavailable.class,
                () -> store.prepare("plugins", "pong", Map.of("category", "mock", "status", 200L)));
    }
}
