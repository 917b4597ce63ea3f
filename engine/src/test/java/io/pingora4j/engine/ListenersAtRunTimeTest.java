package io.pingora4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Listeners opened and closed while the server runs (what a configuration reload does to ports). */
class ListenersAtRunTimeTest {

    private Origins.Jdk origin;
    private Server server;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() throws Exception {
        origin = new Origins.Jdk().route("/hello", ex -> Origins.Jdk.text(ex, 200, "hello"));
        server = Server.builder().threads(2).listen("127.0.0.1:0", new SimpleProxy(origin.port())).start();
    }

    @AfterEach
    void stop() {
        server.close();
        origin.close();
    }

    private int get(InetSocketAddress a) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.getPort() + "/hello")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void anAddedListenerServesAndIsListed() throws Exception {
        InetSocketAddress added = server.addListener(new InetSocketAddress("127.0.0.1", 0), new SimpleProxy(origin.port()),
                null, null);
        assertEquals(200, get(added));
        assertTrue(server.addresses().contains(added));
    }

    @Test
    void aRemovedListenerStopsAcceptingWhileTheOthersServe() throws Exception {
        InetSocketAddress added = server.addListener(new InetSocketAddress("127.0.0.1", 0), new SimpleProxy(origin.port()),
                null, null);
        server.removeListener(added).get(5, TimeUnit.SECONDS);
        assertFalse(server.addresses().contains(added));
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", added.getPort()).close());
        assertEquals(200, get(server.addresses().get(0)));
    }

    @Test
    void anAddressInUseIsRefusedAndNothingChanges() throws IOException {
        InetSocketAddress first = server.addresses().get(0);
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            InetSocketAddress busy = new InetSocketAddress("127.0.0.1", taken.getLocalPort());
            assertThrows(UncheckedIOException.class,
                    () -> server.addListener(busy, new SimpleProxy(origin.port()), null, null));
        }
        assertEquals(java.util.List.of(first), server.addresses());
    }
}
