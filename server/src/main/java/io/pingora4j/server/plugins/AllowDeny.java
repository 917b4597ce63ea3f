package io.pingora4j.server.plugins;

import io.pingora4j.spi.PluginConfig;
import io.pingora4j.spi.Session;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The {@code type} of Pingap's restriction plugins ({@code ip_restriction}, {@code ua_restriction},
 * {@code referer_restriction}): {@code allow} lets only listed requests through, {@code deny}
 * refuses listed ones; a refusal is 403 with the plugin's {@code message}. Immutable.
 */
public enum AllowDeny {
    ALLOW, DENY;

    /** Pingap's default body of the 403. */
    public static final String DEFAULT_MESSAGE = "Request is forbidden";

    /** Reads {@code type} (default allow; case-insensitive; anything else is refused, naming it). */
    public static AllowDeny of(PluginConfig config) {
        String t = config.string("type", "allow").trim().toLowerCase(Locale.ROOT);
        switch (t) {
            case "allow":
                return ALLOW;
            case "deny":
                return DENY;
            default:
                throw config.invalid("type", "expected allow or deny, got \"" + t + "\"");
        }
    }

    /** Whether a request that is ({@code listed}) or is not on the list may go on. */
    public boolean admits(boolean listed) {
        return listed == (this == ALLOW);
    }

    /** The {@code message} key as the bytes of the 403 body. */
    public static byte[] message(PluginConfig config) {
        return config.string("message", DEFAULT_MESSAGE).getBytes(StandardCharsets.UTF_8);
    }

    /** Answers 403 with {@code body}. */
    public static void forbid(Session session, byte[] body) {
        session.respond(403, "text/plain; charset=utf-8", body);
    }
}
