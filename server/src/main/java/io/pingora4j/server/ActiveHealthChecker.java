package io.pingora4j.server;

import io.pingora4j.lb.Backend;
import io.pingora4j.lb.BackendSet;
import io.pingora4j.lb.HealthCheckSpec;
import io.pingora4j.server.config.UpstreamConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each upstream's {@code health_check} against every backend, every {@code check_frequency},
 * and feeds the results to the backend's health state (which applies the success/failure
 * thresholds; a backend that is down is skipped by every selector).
 *
 * <p>As in Pingap, each backend is checked at its own address; the URL's host is sent as the Host
 * header. {@code http://} checks expect the configured status (2xx by default), {@code https://}
 * checks do the same over TLS (JDK {@link SSLSocket}; SNI and certificate name = the URL's host,
 * default trust store; the upstream's {@code verify_cert = false} turns verification off, as for its
 * traffic), {@code tcp://} checks a connect ({@code ?tls} adds a handshake), {@code grpc://} calls
 * the standard gRPC health service ({@code grpc.health.v1.Health/Check} for {@code ?service=}, over
 * h2c, or TLS with ALPN "h2" with {@code ?tls}: {@link GrpcHealthCheck}). The checks block, so
 * they run on one daemon thread of their own, never on an event loop.
 *
 * <p>Thread-safe: started and stopped once.
 */
final class ActiveHealthChecker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ActiveHealthChecker.class);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pingora4j-health");
        t.setDaemon(true);
        return t;
    });

    /**
     * Problems with health checks this build cannot run, as "key: reason" lines: none today, as
     * every scheme HealthCheckSpec parses (http, https, tcp, grpc) runs.
     */
    static List<String> problems(Collection<UpstreamGroup> groups) {
        return new ArrayList<>();
    }

    void start(Collection<UpstreamGroup> groups) {
        for (UpstreamGroup g : groups) {
            HealthCheckSpec spec = g.config.healthCheck();
            if (spec == null) {
                continue;
            }
            long every = Math.max(100, spec.checkFrequency().toMillis());
            timer.scheduleWithFixedDelay(() -> checkAll(g, spec), 0, every, TimeUnit.MILLISECONDS);
        }
    }

    private static void checkAll(UpstreamGroup g, HealthCheckSpec spec) {
        BackendSet set = g.snapshot().set(); // a discovery swap during this round is checked next round
        for (int i = 0; i < set.size(); i++) {
            Backend b = set.backend(i);
            boolean ok = check(spec, b, g.config.verifyCert());
            boolean changed = set.health(i).onActiveCheck(ok);
            if (changed) {
                LOG.warn("upstream '{}': backend {} is now {} (health check {})", g.name, b.address(),
                        set.health(i).state(), ok ? "passed" : "failed");
            }
        }
    }

    /** One check of one backend; true if it passed. Blocking. */
    static boolean check(HealthCheckSpec spec, Backend b, boolean verifyCert) {
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(b.host(), b.port()), (int) spec.connectionTimeout().toMillis());
            plain.setSoTimeout((int) spec.readTimeout().toMillis());
            Socket s = plain;
            boolean grpc = spec.scheme() == HealthCheckSpec.Scheme.GRPC;
            boolean tls = spec.scheme() == HealthCheckSpec.Scheme.HTTPS || spec.tls();
            if (tls) {
                s = handshake(plain, spec.host(), b.port(), verifyCert, grpc ? "h2" : null);
            }
            if (spec.scheme() == HealthCheckSpec.Scheme.TCP) {
                return true;
            }
            String host = spec.host().isEmpty() ? b.host() : (spec.port() > 0 ? spec.host() + ":" + spec.port() : spec.host());
            if (grpc) {
                return GrpcHealthCheck.check(s, host, spec.service(), tls);
            }
            String path = spec.path().isEmpty() ? "/" : spec.path();
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: pingora4j-health-check\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            int status = readStatus(s.getInputStream());
            return status > 0 && spec.isExpectedStatus(status);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * TLS over a connected socket: SNI and (when verifying) the certificate's name are the URL's host,
     * as Pingora's HTTP check does; an IP literal host is sent without SNI (RFC 6066 §3 forbids it).
     */
    private static SSLSocket handshake(Socket plain, String host, int port, boolean verifyCert, String alpn)
            throws IOException {
        SSLSocketFactory factory = verifyCert ? (SSLSocketFactory) SSLSocketFactory.getDefault() : TrustAll.FACTORY;
        SSLSocket tls = (SSLSocket) factory.createSocket(plain, host, port, true);
        SSLParameters params = tls.getSSLParameters();
        if (!UpstreamConfig.isIpLiteral(host)) {
            params.setServerNames(List.of(new SNIHostName(host)));
        }
        if (verifyCert) {
            params.setEndpointIdentificationAlgorithm("HTTPS");
        }
        if (alpn != null) {
            params.setApplicationProtocols(new String[] {alpn});
        }
        tls.setSSLParameters(params);
        tls.startHandshake();
        return tls;
    }

    /** For {@code verify_cert = false}: any certificate is accepted (made on first use). */
    private static final class TrustAll {
        static final SSLSocketFactory FACTORY = create();

        private static SSLSocketFactory create() {
            TrustManager anything = new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            };
            try {
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(null, new TrustManager[] {anything}, null);
                return ctx.getSocketFactory();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("no TLS in this JDK", e);
            }
        }
    }

    /** The status code of "HTTP/1.x NNN ...", or -1. */
    private static int readStatus(InputStream in) throws IOException {
        byte[] line = new byte[12];
        int n = 0;
        while (n < line.length) {
            int r = in.read(line, n, line.length - n);
            if (r < 0) {
                break;
            }
            n += r;
        }
        if (n < 12 || line[0] != 'H' || line[8] != ' ') {
            return -1;
        }
        int status = 0;
        for (int k = 9; k < 12; k++) {
            if (line[k] < '0' || line[k] > '9') {
                return -1;
            }
            status = status * 10 + (line[k] - '0');
        }
        return status;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
