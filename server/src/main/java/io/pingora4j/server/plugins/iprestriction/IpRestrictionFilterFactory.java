package io.pingora4j.server.plugins.iprestriction;

import io.pingora4j.server.plugins.AllowDeny;
import io.pingora4j.server.plugins.ClientAddress;
import io.pingora4j.server.plugins.IpList;
import io.pingora4j.spi.Action;
import io.pingora4j.spi.FilterFactory;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.PluginConfig;
import io.pingora4j.spi.Session;
import java.util.List;

/**
 * Pingap's {@code ip_restriction} plugin: allow or deny by client address (IPv4 and IPv6 addresses
 * and CIDR blocks). See {@code docs/plugins/ip_restriction.md}.
 *
 * <pre>
 * [plugins.internalOnly]
 * category = "ip_restriction"
 * type = "allow"                              # or "deny"
 * ip_list = ["127.0.0.1", "10.0.0.0/8", "::1"]
 * trusted_proxies = ["10.0.0.0/8"]            # whose X-Forwarded-For is believed; default none
 * message = "Internal access only"
 * </pre>
 *
 * The client is the TCP peer, unless the peer is a trusted proxy: then it is the rightmost
 * {@code X-Forwarded-For} entry that is not itself a trusted proxy (entries to its left were
 * written by whoever the proxy talked to, and can be forged). Immutable; thread-safe.
 */
public final class IpRestrictionFilterFactory implements FilterFactory {

    public static final String CATEGORY = "ip_restriction";

    @Override
    public String category() {
        return CATEGORY;
    }

    @Override
    public HttpFilter create(PluginConfig config) {
        AllowDeny type = AllowDeny.of(config);
        IpList list = list(config, "ip_list");
        IpList trusted = list(config, "trusted_proxies");
        return new IpRestrictionFilter(type, list, trusted.isEmpty() ? null : trusted, AllowDeny.message(config));
    }

    private static IpList list(PluginConfig config, String key) {
        List<String> entries = config.stringList(key);
        for (int i = 0; i < entries.size(); i++) {
            try {
                IpList.parse(List.of(entries.get(i)));
            } catch (IllegalArgumentException e) {
                throw config.invalid(key + "[" + i + "]", e.getMessage());
            }
        }
        return IpList.parse(entries);
    }

    /** Immutable; thread-safe. */
    static final class IpRestrictionFilter implements HttpFilter {
        private final AllowDeny type;
        private final IpList list;
        private final IpList trusted;
        private final byte[] message;

        IpRestrictionFilter(AllowDeny type, IpList list, IpList trusted, byte[] message) {
            this.type = type;
            this.list = list;
            this.trusted = trusted;
            this.message = message;
        }

        @Override
        public Action requestFilter(Session session) {
            byte[] client = clientAddress(session);
            if (type.admits(client != null && list.contains(client))) {
                return Action.CONTINUE;
            }
            AllowDeny.forbid(session, message);
            return Action.RESPONDED;
        }

        /** The client's address bytes: the peer's, or, behind a trusted proxy, from X-Forwarded-For. */
        byte[] clientAddress(Session session) {
            return ClientAddress.of(session, trusted);
        }
    }
}
