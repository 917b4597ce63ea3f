package io.pingora4j.server;

import io.pingora4j.engine.Server;
import io.pingora4j.server.config.ConfigException;
import io.pingora4j.server.config.FileConfigSource;
import io.pingora4j.server.config.ProxyConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real server in process, started from a configuration file (or directory) the way the binary
 * starts, with its {@link ConfigReloader}: a test rewrites the file and calls {@link #reload()}
 * (what SIGHUP does) or turns the file watch on.
 */
final class ReloadingProxy implements AutoCloseable {

    final Path config;
    final Server server;
    final ConfigReloader reloader;

    private ReloadingProxy(Path config, Server server, ConfigReloader reloader) {
        this.config = config;
        this.server = server;
        this.reloader = reloader;
    }

    /** Starts from {@code config}, a file or a directory, which must already hold a valid configuration. */
    static ReloadingProxy start(Path config) {
        FileConfigSource source = new FileConfigSource(config);
        ProxyConfig loaded;
        try {
            loaded = source.load();
        } catch (ConfigException e) {
            throw new AssertionError("the test configuration was refused:\n" + e.getMessage(), e);
        }
        List<String> problems = new ArrayList<>();
        ServerRuntime runtime = ServerRuntime.build(loaded, loaded.resolve(loaded.basic().pluginsDir()), problems); // as Main
        if (runtime == null) {
            throw new AssertionError("the test configuration could not be built: " + problems);
        }
        Map<String, LiveListener> listeners = new LinkedHashMap<>();
        Server server = runtime.start(listeners);
        return new ReloadingProxy(config, server, new ConfigReloader(source, server, runtime, listeners));
    }

    static void write(Path file, String toml) {
        try {
            // write then rename, as an editor or the admin API does: a reader never sees half a file
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, toml);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What SIGHUP does, waiting for its outcome. */
    ConfigReloader.Outcome reload() {
        try {
            return reloader.reload().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the reload did not finish", e);
        }
    }

    int port() {
        return server.port();
    }

    @Override
    public void close() {
        reloader.close();
        server.shutdown(Duration.ofSeconds(5));
        reloader.current().close();
    }
}
