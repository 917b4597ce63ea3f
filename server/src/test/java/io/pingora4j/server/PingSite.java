package io.pingora4j.server;

/**
 * The smallest configuration that serves: server {@code NAME} on {@code addr}, whose one location
 * answers every request with the {@code ping} plugin (no upstream needed).
 */
final class PingSite {

    private PingSite() {
    }

    /** The tables, with {@code serverKeys} (TOML lines, may be empty) added to the server's. */
    static String toml(String name, String addr, String serverKeys) {
        return """
                [plugins.ok]
                category = "ping"
                [locations.all]
                path = "/"
                plugins = ["ok"]
                [servers.%s]
                addr = "%s"
                locations = ["all"]
                %s
                """.formatted(name, addr, serverKeys);
    }
}
