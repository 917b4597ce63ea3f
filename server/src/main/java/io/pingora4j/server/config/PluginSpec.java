package io.pingora4j.server.config;

import io.pingora4j.spi.PluginConfig;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A {@code [plugins.NAME]} table: its category and every key as a plain Java value (String, Long,
 * Double, Boolean, List, Map; dates as their text), including {@code category}. Immutable.
 *
 * @param name     NAME
 * @param category the {@code category} value (which {@link io.pingora4j.spi.FilterFactory} builds it)
 * @param values   the whole table, in file order
 */
public record PluginSpec(String name, String category, Map<String, Object> values) {

    public PluginSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(category, "category");
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** The table as the SPI's {@link PluginConfig}, for {@code FilterFactory.create}. */
    public PluginConfig toPluginConfig() {
        return new PluginConfig(name, values);
    }
}
