package io.pingora4j.server.config;

/**
 * Where the configuration comes from: a TOML file, a directory of them, or a shared store such as
 * etcd. The reload machinery knows only this: it asks {@link #load()} for a validated
 * {@link ProxyConfig} (off the event loops) and learns of changes through {@link #watch}.
 *
 * <p>Implementations are thread-safe; {@link #load()} may block (disk, network) and is never
 * called on an event loop.
 */
public interface ConfigSource {

    /** How problems and logs name this source: a path, or {@code etcd://host:port/prefix}. */
    String describe();

    /** Reads and validates the whole configuration; every problem is in the exception. */
    ProxyConfig load() throws ConfigException;

    /**
     * Calls {@code onChange} (on a thread of the source's own, never an event loop) whenever the
     * configuration may have changed; the listener reloads and compares. Returns the handle that
     * stops watching.
     */
    AutoCloseable watch(Runnable onChange) throws ConfigException;
}
