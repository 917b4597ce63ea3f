package io.pingora4j.server.plugins;

import io.pingora4j.spi.FilterFactory;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.PluginConfig;
import io.pingora4j.spi.PluginConfigException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /**
     * A factory and where it came from.
     *
     * @param source "built-in CLASS" or "JAR (CLASS)"
     * @param jar    the plugin jar, or null for a built-in
     */
    record Entry(FilterFactory factory, String source, Path jar) {
    }

    private final Map<String, Entry> byCategory;
    private final List<String> problems;
    private final List<Closeable> loaders;
    private final Path folder;

    PluginRegistry(Map<String, Entry> byCategory, List<String> problems, List<Closeable> loaders, Path folder) {
        this.byCategory = Collections.unmodifiableMap(new TreeMap<>(byCategory));
        this.problems = List.copyOf(problems);
        this.loaders = List.copyOf(loaders);
        this.folder = folder;
    }

    /** The plugins folder searched for jars (absolute), or null when none was given. */
    public Path folder() {
        return folder;
    }

    /** The categories of the server itself, sorted. */
    public List<String> builtInCategories() {
        List<String> out = new ArrayList<>();
        byCategory.forEach((c, e) -> {
            if (e.jar() == null) {
                out.add(c);
            }
        });
        return out;
    }

    /** Each plugin jar that offers a category, with its categories, in file-name order. */
    public Map<Path, List<String>> jars() {
        Map<Path, List<String>> out = new TreeMap<>();
        byCategory.forEach((c, e) -> {
            if (e.jar() != null) {
                out.computeIfAbsent(e.jar(), j -> new ArrayList<>()).add(c);
            }
        });
        return out;
    }

    /**
     * What was found, for the start line and {@code -t}: the folder (or that it is absent) and each
     * jar with its categories, one line each.
     */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        if (folder == null) {
            lines.add("plugins: built-in only (no plugins folder)");
        } else if (!Files.isDirectory(folder)) {
            lines.add("plugins folder " + folder + " (absent): built-in plugins only");
        } else {
            Map<Path, List<String>> jars = jars();
            lines.add("plugins folder " + folder + (jars.isEmpty() ? " (no plugin jar)" : ""));
            jars.forEach((jar, categories) -> lines.add("  " + jar.getFileName() + ": " + String.join(", ", categories)));
        }
        lines.add("built-in plugins: " + String.join(", ", builtInCategories()));
        return lines;
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
        return create(pluginName, table, new ArrayList<>());
    }

    /**
     * As {@link #create(String, Map)}; {@code warnings} gets one "plugins.NAME.KEY: reason" line
     * for each key of the table the factory did not read.
     */
    public HttpFilter create(String pluginName, Map<String, Object> table, List<String> warnings) {
        PluginConfig config = new PluginConfig(pluginName, table);
        String category = config.category();
        Entry entry = byCategory.get(category);
        if (entry == null) {
            throw new PluginConfigException(pluginName, "category",
                    "unknown category \"" + category + "\"; known: " + String.join(", ", byCategory.keySet())
                            + " (the server's own, and " + searched() + ")");
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
        for (String key : config.unreadKeys()) {
            warnings.add("plugins." + pluginName + "." + key + ": not read by the \"" + category
                    + "\" plugin (a typo, or a Pingap key it does not apply)");
        }
        return filter;
    }

    private String searched() {
        if (folder == null) {
            return "no plugins folder was searched";
        }
        return Files.isDirectory(folder) ? "the jars in " + folder
                : "no jar: the plugins folder " + folder + " does not exist (basic.plugins_dir)";
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
