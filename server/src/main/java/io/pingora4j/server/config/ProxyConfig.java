package io.pingora4j.server.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A whole configuration file, validated: every reference resolves (locations to upstreams and
 * plugins, servers to locations). Maps keep file order. Immutable: a reload builds a new one and
 * swaps it in, so every event loop may read it without locks.
 *
 * @param source       the file (or source name) it was loaded from
 * @param basic        {@code [basic]}
 * @param upstreams    {@code [upstreams.*]} by name
 * @param locations    {@code [locations.*]} by name
 * @param servers      {@code [servers.*]} by name
 * @param plugins      {@code [plugins.*]} by name
 * @param certificates {@code [certificates.*]} by name
 * @param storages     Pingap's {@code [storages.*]}, kept as plain tables; not applied (a warning says so)
 * @param warnings     keys accepted for Pingap compatibility but not applied, one "file: key: reason"
 *                     each; {@code -t} and the start print them
 */
public record ProxyConfig(String source, BasicConfig basic, Map<String, UpstreamConfig> upstreams,
                          Map<String, LocationConfig> locations, Map<String, ServerConfig> servers,
                          Map<String, PluginSpec> plugins, Map<String, CertificateConfig> certificates,
                          Map<String, Map<String, Object>> storages, List<ConfigProblem> warnings) {

    public ProxyConfig {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(basic, "basic");
        upstreams = frozen(upstreams);
        locations = frozen(locations);
        servers = frozen(servers);
        plugins = frozen(plugins);
        certificates = frozen(certificates);
        storages = frozen(storages);
        warnings = List.copyOf(warnings);
    }

    /**
     * The folder relative paths in this configuration resolve against: the configuration file's
     * folder, the folder itself for a directory of files, else (text parsed without a file) the
     * working directory.
     */
    public Path directory() {
        Path p = Path.of(source).toAbsolutePath().normalize();
        if (Files.isDirectory(p)) {
            return p;
        }
        Path parent = Files.isRegularFile(p) ? p.getParent() : null;
        return parent != null ? parent : Path.of("").toAbsolutePath();
    }

    /** {@code path} as written in this configuration: absolute as is, relative against {@link #directory()}. */
    public Path resolve(String path) {
        return directory().resolve(path).normalize();
    }

    private static <V> Map<String, V> frozen(Map<String, V> m) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }

    /** The location, or throws IllegalArgumentException naming it. */
    public LocationConfig location(String name) {
        LocationConfig l = locations.get(name);
        if (l == null) {
            throw new IllegalArgumentException("no location '" + name + "'");
        }
        return l;
    }

    /** The server, or throws IllegalArgumentException naming it. */
    public ServerConfig server(String name) {
        ServerConfig s = servers.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no server '" + name + "'");
        }
        return s;
    }
}
