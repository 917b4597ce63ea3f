package io.pingora4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pingora4j.server.plugins.PluginLoader;
import io.pingora4j.server.plugins.PluginRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code examples/plugin-example} builds outside the repository exactly as docs/PLUGINS.md says:
 * the pingora4j artifacts installed from a checkout ({@code mvn install -DskipTests -pl engine -am}),
 * then {@code mvn package} in a folder of its own (its test runs the filter in-process). Both
 * against a local repository of this test's own, never ~/.m2, which is read as a plain file
 * repository (central behind it) so nothing is downloaded twice. Needs mvn on PATH.
 */
@Tag("interop")
class PluginExampleBuildTest {

    private static final Duration BUILD = Duration.ofMinutes(10);

    @TempDir
    Path tmp;

    @Test
    void thePluginExampleBuildsOutsideTheRepositoryAsDocumented() throws Exception {
        String mvn = Tools.path("mvn", "maven");
        Path repo = Path.of(System.getProperty("basedir", "."), "..").toRealPath();
        Path checkout = copy(repo, tmp.resolve("pingora4j"));
        Path settings = Files.writeString(tmp.resolve("settings.xml"), settings());
        String[] maven = {mvn, "-q", "-B", "-s", settings.toString(), "-Dmaven.repo.local=" + tmp.resolve("m2")};

        Tools.Run install = Tools.runIn(checkout, tmp, BUILD,
                concat(maven, "install", "-DskipTests", "-pl", "engine", "-am"));
        assertEquals(0, install.exit(), "mvn install of the pingora4j artifacts failed:\n" + install.output());

        Path plugin = copy(repo.resolve("examples/plugin-example"), tmp.resolve("header-stamp"));
        Tools.Run pack = Tools.runIn(plugin, tmp, BUILD, concat(maven, "package"));
        assertEquals(0, pack.exit(), "mvn package of the plugin failed:\n" + pack.output());

        Path jar = plugin.resolve("target/header-stamp-1.0.0.jar");
        assertTrue(Files.isRegularFile(jar), "no " + jar);
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        Files.copy(jar, plugins.resolve(jar.getFileName()));
        try (PluginRegistry registry = PluginLoader.load(plugins)) {
            assertEquals(java.util.List.of(), registry.problems());
            assertTrue(registry.jars().values().stream().anyMatch(c -> c.contains("header_stamp")), registry.toString());
        }
    }

    /** The files of {@code from} (not its build output nor git's), as a person copies a folder. */
    private static Path copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path rel = from.relativize(f);
                boolean skipped = false;
                for (Path segment : rel) {
                    skipped |= segment.toString().equals("target") || segment.toString().equals(".git");
                }
                if (skipped) {
                    continue;
                }
                Path dest = to.resolve(rel.toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(dest);
                } else if (Files.isRegularFile(f)) {
                    Files.createDirectories(dest.getParent());
                    Files.copy(f, dest, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        return to;
    }

    /** ~/.m2 read as a file repository before central: what this machine has is not downloaded again. */
    private static String settings() {
        String cache = Path.of(System.getProperty("user.home"), ".m2", "repository").toUri().toString();
        String repo = "<id>m2-cache</id><url>" + cache + "</url><releases><enabled>true</enabled></releases>"
                + "<snapshots><enabled>false</enabled></snapshots>";
        return "<settings><profiles><profile><id>m2-cache</id>"
                + "<repositories><repository>" + repo + "</repository></repositories>"
                + "<pluginRepositories><pluginRepository>" + repo + "</pluginRepository></pluginRepositories>"
                + "</profile></profiles><activeProfiles><activeProfile>m2-cache</activeProfile></activeProfiles></settings>";
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
