package io.pingora4j.server;

import io.pingora4j.engine.Server;
import io.pingora4j.server.config.ListenAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Names the server and the address when a listen address cannot be bound (the engine's error
 * names neither): before the engine starts, each address is bound once the way the engine will
 * bind it, and released. A port taken in between still fails in the engine, with every address
 * of the configuration named.
 *
 * <p>Stateless; runs at start, off the event loops.
 */
final class ListenCheck {

    private ListenCheck() {
    }

    /** @throws ListenException for the first address that cannot be bound */
    static void check(List<ServerRuntime.Site> sites, int threads, boolean reuseAlways) {
        boolean reusePort;
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            reusePort = (threads > 1 || reuseAlways)
                    && probe.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT);
        } catch (IOException e) {
            return; // the engine will say what is wrong with sockets here
        }
        for (ServerRuntime.Site site : sites) {
            for (ListenAddress a : site.config.addrs()) {
                InetSocketAddress address;
                try {
                    address = Server.Builder.parseAddress(a.toString());
                } catch (IllegalArgumentException e) {
                    throw new ListenException(site.name, a.toString(), e.getMessage(), e);
                }
                try (ServerSocketChannel ssc = ServerSocketChannel.open()) {
                    ssc.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                    if (reusePort) {
                        ssc.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                    }
                    ssc.bind(address);
                } catch (IOException e) {
                    throw new ListenException(site.name, a.toString(), describe(e), e);
                }
            }
        }
    }

    /** The engine failed after the check passed (a port taken in between): name every address. */
    static ListenException explain(List<ServerRuntime.Site> sites, UncheckedIOException e) {
        List<String> all = new ArrayList<>();
        for (ServerRuntime.Site site : sites) {
            for (ListenAddress a : site.config.addrs()) {
                all.add("servers." + site.name + " " + a);
            }
        }
        return new ListenException(null, String.join(", ", all), describe(e.getCause()), e);
    }

    private static String describe(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** A listen address that cannot be bound; the message names the address and why, {@link #key} the server. */
    static final class ListenException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        /** {@code servers.NAME.addr}, or null when the failing address is not known. */
        final String key;

        ListenException(String server, String address, String reason, Throwable cause) {
            super((server == null ? "cannot listen on one of " : "cannot listen on ") + address + ": " + reason, cause);
            this.key = server == null ? null : "servers." + server + ".addr";
        }
    }
}
