package io.pingora4j.server.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A TOML file or a directory of {@code *.toml} files on local disk, read by {@link ConfigLoader}.
 * Its change feed, for {@code --autoreload}, is a file watch on the file or directory.
 */
public final class FileConfigSource implements ConfigSource {

    private final Path path;

    public FileConfigSource(Path path) {
        this.path = Objects.requireNonNull(path, "path");
    }

    public Path path() {
        return path;
    }

    @Override
    public String describe() {
        return path.toString();
    }

    @Override
    public ProxyConfig load() throws ConfigException {
        return ConfigLoader.load(path);
    }

    /** TODO(reload): a WatchService on the file's folder (or the directory), debounced, calling onChange. */
    @Override
    public AutoCloseable watch(Runnable onChange) throws ConfigException {
        throw new ConfigException(List.of(new ConfigProblem(path.toString(), "", "watching is not built yet")));
    }
}
