package io.pingora4j.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * A loopback port nobody listens on. The configuration refuses port 0 ({@code ListenAddress}
 * requires 1..65535), so a test asks the kernel for an ephemeral port, closes it, and writes that
 * number into its TOML; callers retry on the rare bind race ({@link RunningProxy}).
 */
final class FreePort {

    private FreePort() {
    }

    /**
     * A free loopback port at most {@code max}: a Redis node in cluster mode also listens on its
     * port + 10,000, so it refuses ports above 55,535.
     */
    static int pickAtMost(int max) {
        for (int i = 0; i < 1000; i++) {
            int p = pick();
            if (p <= max) {
                return p;
            }
        }
        throw new IllegalStateException("no free loopback port at most " + max + " in 1,000 tries");
    }

    static int pick() {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }
}
