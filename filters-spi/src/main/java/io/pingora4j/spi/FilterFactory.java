package io.pingora4j.spi;

/**
 * Turns a {@code [plugins.NAME]} table into an {@link HttpFilter}. Found through
 * {@link java.util.ServiceLoader}: list the implementation in
 * {@code META-INF/services/io.pingora4j.spi.FilterFactory} of its jar, and a jar dropped into the
 * server's plugins folder adds it. The server's built-in plugins are registered the same way.
 *
 * <p>{@link #create} runs at start and at every reload, off the event loops; it may take its time
 * (compile a regex, read a file) but must not keep global state between calls.
 */
public interface FilterFactory {

    /** The {@code category} value this factory answers to, e.g. "mock" or "jwt". */
    String category();

    /**
     * Builds a filter from its configuration.
     *
     * @throws PluginConfigException naming the key and the reason when the table is wrong
     */
    HttpFilter create(PluginConfig config);

    /**
     * Releases what {@code filter}, made by {@link #create} here, holds (threads, files, clients).
     * Called off the event loops once it serves no request any more: after a reload that replaced or
     * removed its {@code [plugins.NAME]} table (an unchanged table keeps its instance), and at
     * shutdown. The default holds nothing and does nothing.
     */
    default void close(HttpFilter filter) {
    }
}
