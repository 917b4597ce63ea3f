package io.pingora4j.server;

import io.pingora4j.engine.Server;
import io.pingora4j.server.config.ConfigException;
import io.pingora4j.server.config.ConfigLoader;
import io.pingora4j.server.config.ProxyConfig;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The real server, in process: TOML text through {@link ConfigLoader}, {@link ServerRuntime} and
 * the engine, listening on a free loopback port. The TOML is made from the port so a bind race
 * (another process took the port between pick and bind) is retried with a new one, at most 3 times.
 */
final class RunningProxy implements AutoCloseable {

    private static final int BIND_ATTEMPTS = 3;

    final Server server;
    final ServerRuntime runtime;
    final String toml;

    private RunningProxy(Server server, ServerRuntime runtime, String toml) {
        this.server = server;
        this.runtime = runtime;
        this.toml = toml;
    }

    /** Starts with the built-in plugins only (no plugins folder). */
    static RunningProxy start(IntFunction<String> tomlForPort) {
        return start(tomlForPort, null);
    }

    static RunningProxy start(IntFunction<String> tomlForPort, Path pluginsDir) {
        UncheckedIOException lastBindFailure = null;
        for (int attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
            String toml = tomlForPort.apply(FreePort.pick());
            ProxyConfig config;
            try {
                config = ConfigLoader.parse(toml, "test.toml");
            } catch (ConfigException e) {
                throw new AssertionError("the test configuration was refused:\n" + e.getMessage() + "\n---\n" + toml, e);
            }
            List<String> problems = new ArrayList<>();
            ServerRuntime runtime = ServerRuntime.build(config, pluginsDir, problems); // null: built-ins only
            if (runtime == null) {
                throw new AssertionError("the test configuration could not be built: " + problems + "\n---\n" + toml);
            }
            try {
                return new RunningProxy(runtime.start(), runtime, toml);
            } catch (UncheckedIOException e) {
                runtime.close();
                lastBindFailure = e;
            }
        }
        throw new AssertionError("could not bind a free port in " + BIND_ATTEMPTS + " attempts", lastBindFailure);
    }

    /** Starts from a configuration file written at {@code file}, as the binary does (the TLS watcher reads it). */
    static RunningProxy startFile(Path file, IntFunction<String> tomlForPort) {
        UncheckedIOException lastBindFailure = null;
        for (int attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
            String toml = tomlForPort.apply(FreePort.pick());
            ProxyConfig config;
            try {
                java.nio.file.Files.writeString(file, toml);
                config = ConfigLoader.load(file);
            } catch (ConfigException | java.io.IOException e) {
                throw new AssertionError("the test configuration was refused:\n" + e.getMessage() + "\n---\n" + toml, e);
            }
            List<String> problems = new ArrayList<>();
            ServerRuntime runtime = ServerRuntime.build(config, null, problems);
            if (runtime == null) {
                throw new AssertionError("the test configuration could not be built: " + problems + "\n---\n" + toml);
            }
            try {
                return new RunningProxy(runtime.start(), runtime, toml);
            } catch (UncheckedIOException e) {
                runtime.close();
                lastBindFailure = e;
            }
        }
        throw new AssertionError("could not bind a free port in " + BIND_ATTEMPTS + " attempts", lastBindFailure);
    }

    int port() {
        return server.port();
    }

    String base() {
        return "http://127.0.0.1:" + port();
    }

    @Override
    public void close() {
        server.shutdown(Duration.ofSeconds(5));
        runtime.close();
    }
}
