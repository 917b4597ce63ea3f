package io.pingora4j.server.metrics;

import io.pingora4j.codec.h2.H2ErrorCode;
import io.pingora4j.engine.Server;
import io.pingora4j.tls.TlsHandshakes;
import io.prometheus.client.Collector;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The engine's own counters ({@link Server#stats()}, summed over the loops at scrape time):
 * client connections, HTTP/2 connections, streams and GOAWAYs by error code, client TLS handshake
 * times, upstream connects, failures, discards and retries. Nothing before the server started.
 */
final class EngineCollector extends Collector {

    private static final List<String> ERROR = List.of("error");

    private final Supplier<Server> server;

    EngineCollector(Supplier<Server> server) {
        this.server = server;
    }

    @Override
    public List<MetricFamilySamples> collect() {
        Server s = server.get();
        List<MetricFamilySamples> out = new ArrayList<>();
        if (s == null) {
            return out;
        }
        Server.Stats st = s.stats();
        out.add(counter("downstream_connections", "Client connections accepted", st.connectionsAccepted()));
        out.add(counter("h2_connections", "Client connections that spoke HTTP/2", st.h2Connections()));
        out.add(counter("h2_streams", "HTTP/2 request streams (each is also a request)", st.h2Streams()));
        out.add(counter("h2_streams_refused", "HTTP/2 streams refused before a request (malformed, too many)",
                st.h2StreamsRefused()));
        long[] codes = s.h2GoAwaysByCode();
        List<MetricFamilySamples.Sample> goaways = new ArrayList<>();
        for (int i = 0; i < codes.length; i++) {
            if (codes[i] != 0) {
                String name = i < codes.length - 1 ? H2ErrorCode.name(i) : "OTHER";
                goaways.add(new MetricFamilySamples.Sample(ProxyMetrics.PREFIX + "h2_goaways_total", ERROR,
                        List.of(name), codes[i]));
            }
        }
        out.add(new MetricFamilySamples(ProxyMetrics.PREFIX + "h2_goaways", Type.COUNTER,
                "HTTP/2 connections ended with GOAWAY for an error, by error code", goaways));
        out.add(counter("upstream_connects", "Upstream connections dialled", st.upstreamConnects()));
        out.add(counter("upstream_connect_failures", "Upstream connections that failed (refused, timed out, TLS)",
                st.upstreamConnectFailures()));
        out.add(counter("upstream_pool_reuses", "Requests that took a pooled upstream connection",
                st.upstreamReused()));
        out.add(counter("upstream_discarded", "Pooled upstream connections dropped because the origin closed them"
                + " or sent unasked bytes", st.upstreamDiscarded()));
        out.add(counter("upstream_retries", "Attempts retried on another (or the same) backend", st.retries()));

        Server.HandshakeTimes tls = s.tlsHandshakeTimes();
        List<MetricFamilySamples.Sample> samples = new ArrayList<>();
        String name = ProxyMetrics.PREFIX + "tls_handshake_time";
        long cumulative = 0;
        for (int i = 0; i < tls.counts().length; i++) {
            cumulative += tls.counts()[i];
            double le = i < tls.boundsNanos().length ? tls.boundsNanos()[i] / 1e9 : Double.POSITIVE_INFINITY;
            samples.add(new MetricFamilySamples.Sample(name + "_bucket", List.of("le"),
                    List.of(Collector.doubleToGoString(le)), cumulative));
        }
        samples.add(new MetricFamilySamples.Sample(name + "_count", List.of(), List.of(), cumulative));
        samples.add(new MetricFamilySamples.Sample(name + "_sum", List.of(), List.of(), tls.sumNanos() / 1e9));
        out.add(new MetricFamilySamples(name, Type.HISTOGRAM, "Client TLS handshake time, in seconds", samples));

        TlsHandshakes.Counts hs = TlsHandshakes.counts();
        String handshakes = ProxyMetrics.PREFIX + "tls_handshakes";
        List<String> labels = List.of("side", "kind");
        out.add(new MetricFamilySamples(handshakes, Type.COUNTER,
                "Completed TLS handshakes of the process, with clients (side=server) and with origins (side=client),"
                        + " full or resumed (a ticket or a session id: no certificate, no signature)", List.of(
                        new MetricFamilySamples.Sample(handshakes + "_total", labels, List.of("server", "full"), hs.serverFull()),
                        new MetricFamilySamples.Sample(handshakes + "_total", labels, List.of("server", "resumed"), hs.serverResumed()),
                        new MetricFamilySamples.Sample(handshakes + "_total", labels, List.of("client", "full"), hs.clientFull()),
                        new MetricFamilySamples.Sample(handshakes + "_total", labels, List.of("client", "resumed"), hs.clientResumed()))));
        return out;
    }

    private static MetricFamilySamples counter(String name, String help, long value) {
        return new MetricFamilySamples(ProxyMetrics.PREFIX + name, Type.COUNTER, help,
                List.of(new MetricFamilySamples.Sample(ProxyMetrics.PREFIX + name + "_total", List.of(), List.of(), value)));
    }
}
