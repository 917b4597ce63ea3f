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
