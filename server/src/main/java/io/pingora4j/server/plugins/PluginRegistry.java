package io.pingora4j.server.plugins;

import io.pingora4j.spi.FilterFactory;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.PluginConfig;
import io.pingora4j.spi.PluginConfigException;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The filter factories a server can use, by category: its built-ins and those of the plugin jars
 * {@link PluginLoader} found, with the problems met while looking (a corrupt jar, a category
 * offered twice). Turns {@code [plugins.NAME]} tables into filters with {@link #create}.
 *
 * <p>Immutable once built, so thread-safe. {@link #close()} closes the jars' class loaders; call
 * it when a reload has replaced this registry and no filter it made is in use any more.
 */
public final class PluginRegistry implements AutoCloseable {

    /** A factory and where it came from ("built-in" or the jar's path). */
    record Entry(FilterFactory factory, String source) {
    }

    private final Map<String, Entry> byCategory;
    private final List<String> problems;
    private final List<Closeable> loaders;

    PluginRegistry(Map<String, Entry> byCategory, List<String> problems, List<Closeable> loaders) {
        this.byCategory = Collections.unmodifiableMap(new TreeMap<>(byCategory));
        this.problems = List.copyOf(problems);
        this.loaders = List.copyOf(loaders);
    }

    /** The factory for {@code category}, or null if there is none. */
    public FilterFactory factory(String category) {
        Entry e = byCategory.get(category);
        return e == null ? null : e.factory();
    }

    /** Where the factory for {@code category} came from ("built-in ..." or a jar's path), or null. */
    public String source(String category) {
        Entry e = byCategory.get(category);
        return e == null ? null : e.source();
    }

    /** Every category, sorted. */
    public List<String> categories() {
        return List.copyOf(byCategory.keySet());
    }

    /**
     * Problems met while loading, one readable message each: a jar that could not be read, a
     * factory that could not be instantiated, a category offered twice. None of them stopped the
     * others from loading; the server logs them (and may refuse to start if a configured category
     * is missing because of one).
     */
    public List<String> problems() {
        return problems;
    }

    /**
     * Builds the filter for {@code [plugins.pluginName]}: the table's {@code category} picks the
     * factory, which validates the rest.
     *
     * @throws PluginConfigException naming the plugin: no or unknown category, a bad key (from the
     *     factory), or a factory that failed in another way (wrapped, with the cause)
     */
    public HttpFilter create(String pluginName, Map<String, Object> table) {
        PluginConfig config = new PluginConfig(pluginName, table);
        String category = config.category();
        Entry entry = byCategory.get(category);
        if (entry == null) {
            throw new PluginConfigException(pluginName, "category",
                    "unknown category \"" + category + "\"; known: " + String.join(", ", byCategory.keySet()));
        }
        HttpFilter filter;
        try {
            filter = entry.factory().create(config);
        } catch (PluginConfigException e) {
            throw e;
        } catch (RuntimeException | LinkageError e) {
            PluginConfigException wrapped = new PluginConfigException(pluginName, null,
                    "the \"" + category + "\" factory (" + entry.source() + ") failed: " + e);
            wrapped.initCause(e);
            throw wrapped;
        }
        if (filter == null) {
            throw new PluginConfigException(pluginName, null,
                    "the \"" + category + "\" factory (" + entry.source() + ") returned no filter");
        }
        return filter;
    }

    @Override
    public void close() {
        for (Closeable c : loaders) {
            try {
                c.close();
            } catch (IOException ignored) {
                // nothing useful to do: the jar stays open until exit
            }
        }
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        byCategory.forEach((k, v) -> parts.add(k + "=" + v.source()));
        return "PluginRegistry" + parts;
    }
}
