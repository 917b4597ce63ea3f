package io.pingora4j.server.config;

/**
 * Moved to {@link io.pingora4j.spi.ByteSize}, the one size grammar (plugin tables read sizes with
 * {@link io.pingora4j.spi.PluginConfig#size}).
 *
 * @deprecated use {@link io.pingora4j.spi.ByteSize}; kept so code written against this name still compiles
 */
@Deprecated
public final class ByteSize {

    private ByteSize() {
    }

    /** See {@link io.pingora4j.spi.ByteSize#parse}. */
    public static long parse(String text) {
        return io.pingora4j.spi.ByteSize.parse(text);
    }
}
