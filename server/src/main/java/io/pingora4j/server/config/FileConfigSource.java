package io.pingora4j.server.config;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TOML file or a directory of {@code *.toml} files on local disk, read by {@link ConfigLoader}.
 * Its change feed, for {@code --autoreload}, is a file watch on the file's folder (or the
 * directory): changes to the file (or to any {@code *.toml} in the directory) are debounced, so an
 * editor's write-rename-chmod, or the admin writing several files, makes one call.
 */
public final class FileConfigSource implements ConfigSource {

    private static final Logger LOG = LoggerFactory.getLogger(FileConfigSource.class);

    /** Quiet time after the last change before the listener is called: one save, one reload. */
    static final long DEBOUNCE_MILLIS = 150;

    private final Path path;

    public FileConfigSource(Path path) {
        this.path = Objects.requireNonNull(path, "path");
    }

    public Path path() {
        return path;
    }

    /** Whether this source is a directory of {@code *.toml} files (one file per category or item). */
    public boolean isDirectory() {
        return Files.isDirectory(path);
    }

    @Override
    public String describe() {
        return path.toString();
    }

    @Override
    public ProxyConfig load() throws ConfigException {
        return ConfigLoader.load(path);
    }

    @Override
    public AutoCloseable watch(Runnable onChange) throws ConfigException {
        Path abs = path.toAbsolutePath();
        boolean directory = Files.isDirectory(abs);
        Path folder = directory ? abs : abs.getParent();
        Path name = directory ? null : abs.getFileName();
        WatchService service;
        try {
            service = FileSystems.getDefault().newWatchService();
            folder.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(List.of(new ConfigProblem(path.toString(), "", "cannot watch " + folder + ": " + e)));
        }
        Thread t = new Thread(() -> {
            try {
                while (true) {
                    WatchKey key = service.take();
                    boolean relevant = relevant(key, name);
                    // debounce: keep draining until the folder is quiet for DEBOUNCE_MILLIS
                    WatchKey more;
                    while ((more = service.poll(DEBOUNCE_MILLIS, TimeUnit.MILLISECONDS)) != null) {
                        relevant |= relevant(more, name);
                    }
                    if (relevant) {
                        try {
                            onChange.run();
                        } catch (RuntimeException e) {
                            LOG.warn("{}: reload after a change failed: {}", path, e.toString());
                        }
                    }
                }
            } catch (InterruptedException | ClosedWatchServiceException e) {
                // closed: stop watching
            }
        }, "pingora4j-config-watch");
        t.setDaemon(true);
        t.start();
        return () -> {
            service.close();
            t.interrupt();
        };
    }

    /** Whether a batch of events touches the file (or, for a directory, a {@code *.toml} in it); re-arms the key. */
    private static boolean relevant(WatchKey key, Path name) {
        boolean relevant = false;
        for (WatchEvent<?> e : key.pollEvents()) {
            if (e.kind() == StandardWatchEventKinds.OVERFLOW) {
                relevant = true;
            } else if (e.context() instanceof Path changed) {
                relevant |= name == null ? changed.toString().endsWith(".toml") : changed.equals(name);
            }
        }
        key.reset();
        return relevant;
    }
}
