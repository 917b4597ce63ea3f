package io.pingora4j.spi;

/** A plugin's table is wrong. The message names the plugin, the key and the reason. */
public final class PluginConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String plugin;
    private final String key;

    public PluginConfigException(String plugin, String key, String reason) {
        super("plugins." + plugin + (key == null ? "" : "." + key) + ": " + reason);
        this.plugin = plugin;
        this.key = key;
    }

    /** The plugin's name (the NAME of {@code [plugins.NAME]}). */
    public String plugin() {
        return plugin;
    }

    /** The offending key, or null when the problem is the table as a whole. */
    public String key() {
        return key;
    }
}
