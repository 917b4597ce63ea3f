package io.pingora4j.engine;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/** In-process origins for engine tests: a real HTTP server (the JDK's) and a scripted raw one. */
final class Origins {

    private Origins() {
    }

    /** The JDK's HTTP server: an independent HTTP/1.1 implementation to proxy to. */
    static final class Jdk implements AutoCloseable {
        final HttpServer server;
        private final ExecutorService pool = Executors.newFixedThreadPool(8);

        Jdk() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
            server.setExecutor(pool);
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        Jdk route(String path, Handler h) {
            server.createContext(path, ex -> {
                try {
                    h.handle(ex);
                } catch (Exception e) {
                    ex.sendResponseHeaders(500, -1);
                } finally {
                    ex.close();
                }
            });
            return this;
        }

        @Override
        public void close() {
            server.stop(0);
            pool.shutdownNow();
        }

        interface Handler {
            void handle(HttpExchange ex) throws Exception;
        }

        static void text(HttpExchange ex, int status, String body) throws IOException {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "text/plain");
            ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
            if (b.length > 0) {
                ex.getResponseBody().write(b);
            }
        }
    }

    /** A raw TCP origin: each accepted connection is handed to a script on its own thread. */
    static final class Raw implements AutoCloseable {
        final ServerSocket socket;
        private final List<Socket> accepted = new ArrayList<>();
        private final Thread acceptor;

        Raw(Consumer<Socket> script) throws IOException {
            socket = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
            acceptor = new Thread(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket s = socket.accept();
                        synchronized (accepted) {
                            accepted.add(s);
                        }
                        Thread t = new Thread(() -> {
                            try {
                                script.accept(s);
                            } finally {
                                try {
                                    s.close();
                                } catch (IOException ignored) {
                                    // test origin
                                }
                            }
                        }, "raw-origin-conn");
                        t.setDaemon(true);
                        t.start();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "raw-origin");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        int acceptedCount() {
            synchronized (accepted) {
                return accepted.size();
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
            synchronized (accepted) {
                for (Socket s : accepted) {
                    s.close();
                }
            }
        }

        /** Reads one request head (up to the blank line) as text; null at end of stream. */
        static String readHead(InputStream in) throws IOException {
            StringBuilder sb = new StringBuilder();
            int b;
            while ((b = in.read()) >= 0) {
                sb.append((char) b);
                if (sb.length() >= 4 && sb.substring(sb.length() - 4).equals("\r\n\r\n")) {
                    return sb.toString();
                }
            }
            return sb.length() == 0 ? null : sb.toString();
        }

        static void write(OutputStream out, String s) throws IOException {
            out.write(s.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }
    }
}
