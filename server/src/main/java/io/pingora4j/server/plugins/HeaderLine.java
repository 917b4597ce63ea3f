package io.pingora4j.server.plugins;

import io.pingora4j.codec.h1.HeaderBlock;
import io.pingora4j.spi.PluginConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@code "Name: value"} entry of a plugin's header list, as Pingap writes them
 * ({@code headers = ["Content-Type: application/json"]}), checked once at configuration time.
 *
 * <p>Immutable.
 */
public record HeaderLine(String name, String value) {

    /**
     * Parses every entry of list {@code key}. An entry without ':' or with a name or value HTTP
     * does not allow is refused, naming the entry.
     */
    public static List<HeaderLine> parseList(PluginConfig config, String key) {
        List<String> entries = config.stringList(key);
        List<HeaderLine> out = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            out.add(parse(config, key + "[" + i + "]", entries.get(i)));
        }
        return List.copyOf(out);
    }

    public static HeaderLine parse(PluginConfig config, String key, String entry) {
        int colon = entry.indexOf(':');
        if (colon <= 0) {
            throw config.invalid(key, "expected \"Name: value\", got \"" + entry + "\"");
        }
        String name = entry.substring(0, colon).trim();
        String value = entry.substring(colon + 1).trim();
        checkField(config, key, name, value);
        return new HeaderLine(name, value);
    }

    /** Lets the codec's own rules judge the name and value (token name, no CR/LF/NUL in the value). */
    public static void checkField(PluginConfig config, String key, String name, String value) {
        try {
            new HeaderBlock().add(name, value);
        } catch (IllegalArgumentException e) {
            throw config.invalid(key, e.getMessage());
        }
    }
}
