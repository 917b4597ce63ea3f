package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.server.config.ConfigLoader;
import io.pingora4j.server.config.ProxyConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server configured for TLS must never answer plain HTTP: with files that are not a certificate
 * and a key, the runtime has to refuse the configuration (naming the server) rather than listen
 * in clear text.
 */
class TlsServerSettingsTest {

    @TempDir
    Path tmp;

    @Test
    void aServerWithUnusableTlsCertAndKeyIsRefusedRatherThanServedInClearText() throws Exception {
        Path cert = Files.writeString(tmp.resolve("cert.pem"),
                "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
        Path key = Files.writeString(tmp.resolve("key.pem"),
                "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
        ProxyConfig config = ConfigLoader.parse("""
                [plugins.ok]
                category = "ping"
                path = "/"

                [locations.all]
                path = "/"
                plugins = ["ok"]

                [servers.https]
                addr = "127.0.0.1:%d"
                locations = ["all"]
                tls_cert = "%s"
                tls_key = "%s"
                """.formatted(FreePort.pick(), cert, key), "tls.toml");
        List<String> problems = new ArrayList<>();

        ServerRuntime runtime = ServerRuntime.build(config, tmp.resolve("plugins"), problems);

        if (runtime != null) {
            runtime.close();
        }
        assertTrue(runtime == null && problems.stream().anyMatch(p -> p.startsWith("servers.https")),
                "tls_cert/tls_key were accepted and ignored: the server would answer plain HTTP on its TLS"
                        + " address; problems: " + problems);
    }

    private List<String> problemsOf(String basic) throws Exception {
        ProxyConfig config;
        try {
            config = ConfigLoader.parse("""
                [basic]
                %s

                [plugins.ok]
                category = "ping"
                path = "/"

                [locations.all]
                path = "/"
                plugins = ["ok"]

                [servers.plain]
                addr = "127.0.0.1:%d"
                locations = ["all"]
                """.formatted(basic, FreePort.pick()), "tls.toml");
        } catch (io.pingora4j.server.config.ConfigException e) {
            // the typed reader refuses a bad value while the file is read, as -t prints it
            return e.problems().stream().map(p -> p.key() + ": " + p.reason()).toList();
        }
        List<String> problems = new ArrayList<>();
        ServerRuntime runtime = ServerRuntime.build(config, tmp.resolve("plugins"), problems);
        if (runtime != null) {
            runtime.close();
        }
        return problems;
    }

    @Test
    void anUnknownTlsProviderIsRefusedNamingTheKey() throws Exception {
        assertEquals(List.of("basic.tls_provider: expected one of openssl, jdk, got \"wolfssl\""),
                problemsOf("tls_provider = \"wolfssl\""));
    }

    @Test
    void bothTlsProvidersAreAccepted() throws Exception {
        assertEquals(List.of(), problemsOf("tls_provider = \"jdk\""));
        assertEquals(List.of(), problemsOf("tls_provider = \"openssl\""));
    }

    @Test
    void aTicketLifetimeThatIsNotADurationIsRefusedNamingTheKey() throws Exception {
        List<String> problems = problemsOf("tls_session_ticket_lifetime = \"soon\"");
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("basic.tls_session_ticket_lifetime: ") && problems.get(0).contains("soon"),
                problems.toString());
    }
}
