package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.server.config.ConfigLoader;
import io.pingora4j.server.config.ProxyConfig;
import io.pingora4j.tls.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Relative paths in a configuration file resolve against the file's folder, never against the
 * working directory the server happens to be started from.
 */
class RelativePathsTest {

    @TempDir
    Path folder;

    private ProxyConfig load(String toml) throws Exception {
        Path file = Files.writeString(folder.resolve("pingora4j.toml"), toml);
        return ConfigLoader.load(file);
    }

    @Test
    void relativePathsResolveAgainstTheConfigurationsFolder() throws Exception {
        ProxyConfig c = load("[basic]\nplugins_dir = \"jars\"\n");

        assertEquals(folder.resolve("jars"), c.resolve(c.basic().pluginsDir()));
        assertEquals(Path.of("/etc/x.pem"), c.resolve("/etc/x.pem"));
        assertEquals(folder, c.directory());
    }

    @Test
    void aRelativeCertificateFileIsReadFromTheConfigurationsFolder() throws Exception {
        TestPki.Leaf leaf = TestPki.create("relative ca").issue("relative.test");
        Files.createDirectories(folder.resolve("certs"));
        Files.writeString(folder.resolve("certs/site.crt"), leaf.chainPem());
        Files.writeString(folder.resolve("certs/site.key"), leaf.keyPem());
        ProxyConfig c = load(PingSite.toml("https", "127.0.0.1:" + FreePort.pick(),
                "tls_cert = \"certs/site.crt\"\ntls_key = \"certs/site.key\""));
        List<String> problems = new ArrayList<>();

        ServerRuntime runtime = ServerRuntime.build(c, null, problems);

        assertNotNull(runtime, problems.toString());
        runtime.close();
    }

    @Test
    void aMissingRelativeCertificateIsNamedWithItsKeyAndResolvedPath() throws Exception {
        ProxyConfig c = load("""
                [certificates.site]
                domains = ["site.test"]
                tls_cert = "certs/missing.crt"
                tls_key = "certs/missing.key"
                """ + PingSite.toml("https", "127.0.0.1:" + FreePort.pick(), "global_certificates = true"));
        List<String> problems = new ArrayList<>();

        ServerRuntime runtime = ServerRuntime.build(c, null, problems);

        assertEquals(null, runtime);
        String expected = "certificates.site.tls_cert: " + folder.resolve("certs/missing.crt");
        assertTrue(problems.stream().anyMatch(p -> p.startsWith(expected)), problems.toString());
    }

    @Test
    void aRelativeAccessLogFileIsWrittenInTheConfigurationsFolder() throws Exception {
        ProxyConfig c = load(PingSite.toml("http", "127.0.0.1:" + FreePort.pick(),
                "access_log = \"logs/access.log tiny\""));
        Files.createDirectories(folder.resolve("logs"));
        List<String> problems = new ArrayList<>();

        ServerRuntime runtime = ServerRuntime.build(c, null, problems);

        assertNotNull(runtime, problems.toString());
        runtime.close();
        assertTrue(Files.exists(folder.resolve("logs/access.log")), "the access log was not opened beside the file");
    }

    @Test
    void aRelativeErrorTemplateFileIsReadFromTheConfigurationsFolder() throws Exception {
        ProxyConfig c = load("[basic]\nerror_template = \"error.html\"\n");
        List<String> problems = new ArrayList<>();

        assertEquals(null, ServerRuntime.build(c, null, problems));
        assertEquals(List.of("basic.error_template: cannot read " + folder.resolve("error.html")
                + ": java.nio.file.NoSuchFileException: " + folder.resolve("error.html")), problems);

        Files.writeString(folder.resolve("error.html"), "<p>{{content}}</p>");
        problems.clear();
        ServerRuntime runtime = ServerRuntime.build(c, null, problems);
        assertNotNull(runtime, problems.toString());
        runtime.close();
    }
}
