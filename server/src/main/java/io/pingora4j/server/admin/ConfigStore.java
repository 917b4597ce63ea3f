package io.pingora4j.server.admin;

import io.pingora4j.server.config.ConfigException;
import io.pingora4j.server.config.ProxyConfig;
import java.io.IOException;
import java.util.Map;

/**
 * Where the admin API reads and writes the configuration item by item: a local file or directory
 * ({@link FileConfigStore}), or a configuration store such as etcd. Every method may block (disk,
 * network); the admin API calls them off the event loops, one write at a time.
 */
public interface ConfigStore {

    /** Names the store in answers (a path, or {@code etcd://host:port/prefix}). */
    String describe();

    /**
     * The whole configuration as one document: "basic" → table, "upstreams" → name → table, ...
     *
     * @throws ConfigException when what is stored does not parse
     * @throws Unavailable     when the store cannot be reached
     */
    Map<String, Object> read() throws ConfigException, Unavailable;

    /**
     * The candidate of setting one item to {@code table}, or of removing it ({@code table} null);
     * nothing is written until {@link Change#apply()}. Null when removing an item that is not there.
     *
     * @throws ConfigException when what is stored does not parse
     * @throws Unavailable     when the store cannot be reached
     */
    Change prepare(String category, String name, Map<String, Object> table) throws ConfigException, Unavailable;

    /** One prepared write. */
    interface Change {

        /** Where it goes: the file, or the store's key. */
        String target();

        /**
         * The whole candidate loaded and validated exactly as {@code -t} loads what is stored, with
         * this change in place (the runtime build is the backend's, see {@link AdminBackend#validate}).
         *
         * @throws ConfigException its problems, naming the documents as they would be named
         * @throws Unavailable     when the store cannot be reached
         */
        ProxyConfig load() throws ConfigException, Unavailable;

        /** Writes it (atomically for the one file or key it changes). */
        void apply() throws IOException, Unavailable;
    }

    /** The store did not answer; nothing was changed by the call that throws it. */
    final class Unavailable extends Exception {
        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
