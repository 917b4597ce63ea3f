package io.pingora4j.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code prometheus_metrics}, {@code otlp_exporter}, {@code otlp_sampling_ratio}, {@code error_log_interval}. */
class ObservabilityKeysTest {

    private static ServerConfig server(String keys) throws ConfigException {
        return ConfigLoader.parse("""
                [servers.http]
                addr = "127.0.0.1:8080"
                """ + keys, "test.toml").servers().get("http");
    }

    private static ConfigProblem refused(String toml) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(toml, "test.toml"));
        List<ConfigProblem> p = e.problems();
        assertEquals(1, p.size(), p.toString());
        return p.get(0);
    }

    @Test
    void aMetricsPathIsAnsweredByTheServer() throws ConfigException {
        PrometheusMetrics m = server("prometheus_metrics = \"/metrics\"\n").prometheusMetrics();
        assertEquals("/metrics", m.path());
        assertTrue(!m.push());
    }

    @Test
    void aPushgatewayUrlGivesGatewayJobCredentialsAndInterval() throws ConfigException {
        PrometheusMetrics m = server("prometheus_metrics = \"http://user:pa55@gw.example:9091/job/edge?interval=30s\"\n")
                .prometheusMetrics();
        assertTrue(m.push());
        assertEquals("http://gw.example:9091", m.gateway());
        assertEquals("edge", m.job());
        assertEquals("user", m.user());
        assertEquals("pa55", m.password());
        assertEquals(Duration.ofSeconds(30), m.interval());
    }

    @Test
    void aPushgatewayUrlWithoutJobOrIntervalTakesTheDefaults() throws ConfigException {
        PrometheusMetrics m = server("prometheus_metrics = \"http://gw:9091\"\n").prometheusMetrics();
        assertEquals("pingora4j", m.job());
        assertEquals(PrometheusMetrics.DEFAULT_INTERVAL, m.interval());
    }

    @Test
    void aMetricsValueThatIsNeitherPathNorUrlIsRefusedWithTheKey() {
        ConfigProblem p = refused("[servers.http]\naddr = \"127.0.0.1:1\"\nprometheus_metrics = \"metrics\"\n");
        assertEquals("servers.http.prometheus_metrics", p.key());
        assertTrue(p.reason().startsWith("expected a path (\"/metrics\") or a Pushgateway URL"), p.reason());
    }

    @Test
    void aPushIntervalThatIsNotADurationIsRefused() {
        ConfigProblem p = refused("[servers.http]\naddr = \"127.0.0.1:1\"\n"
                + "prometheus_metrics = \"http://gw:9091/job/x?interval=often\"\n");
        assertEquals("servers.http.prometheus_metrics", p.key());
    }

    @Test
    void anOtlpUrlGetsTheTracesPathAndAPathNamesTheServiceAsInPingap() throws ConfigException {
        assertEquals(new OtlpExporter("http://collector:4318/v1/traces", null),
                server("otlp_exporter = \"http://collector:4318\"\n").otlpExporter());
        assertEquals(new OtlpExporter("http://collector:4318/v1/traces", "edge"),
                server("otlp_exporter = \"http://collector:4318/edge\"\n").otlpExporter());
        assertEquals(new OtlpExporter("https://c.example/otlp/v1/traces", null),
                server("otlp_exporter = \"https://c.example/otlp/v1/traces\"\n").otlpExporter());
    }

    @Test
    void anOtlpValueThatIsNotAnHttpUrlIsRefused() {
        ConfigProblem p = refused("[basic]\notlp_exporter = \"grpc://collector:4317\"\n");
        assertEquals("basic.otlp_exporter", p.key());
        assertTrue(p.reason().contains("OTLP/HTTP"), p.reason());
    }

    @Test
    void theSamplingRatioIsANumberFromZeroToOne() throws ConfigException {
        ProxyConfig c = ConfigLoader.parse("[basic]\notlp_sampling_ratio = 0.25\n", "test.toml");
        assertEquals(0.25, c.basic().observability().samplingRatio());
        assertEquals(1.0, ConfigLoader.parse("", "t.toml").basic().observability().samplingRatio());
        ConfigProblem p = refused("[basic]\notlp_sampling_ratio = 2\n");
        assertEquals("basic.otlp_sampling_ratio", p.key());
        assertEquals("must be in 0.0..1.0, got 2", p.reason());
    }

    @Test
    void noKeyMeansNoMetricsNoTracingAndTheDefaultErrorLogInterval() throws ConfigException {
        ServerConfig s = server("");
        assertNull(s.prometheusMetrics());
        assertNull(s.otlpExporter());
        ProxyConfig c = ConfigLoader.parse("", "t.toml");
        assertNull(c.basic().observability().otlpExporter());
        assertEquals(Duration.ofSeconds(1), c.basic().observability().errorLogInterval());
    }
}
