package io.pingora4j.server.plugins.georestriction;

import com.maxmind.db.CHMCache;
import com.maxmind.db.Reader;
import io.pingora4j.server.plugins.ClientAddress;
import io.pingora4j.server.plugins.IpList;
import io.pingora4j.spi.Action;
import io.pingora4j.spi.FilterFactory;
import io.pingora4j.spi.HttpFilter;
import io.pingora4j.spi.PluginConfig;
import io.pingora4j.spi.Session;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pingap's {@code geo_restriction} plugin: allow or deny by the client's country, looked up in a
 * MaxMind DB file (GeoLite2 / GeoIP2 Country or City, or any MMDB whose records carry
 * {@code country.iso_code}), or only report the country. See {@code docs/plugins/geo_restriction.md}.
 *
 * <pre>
 * [plugins.geoAllow]
 * category = "geo_restriction"
 * type = "allow"                        # allow, deny or reporting
 * country_codes = ["CN", "HK, MO TW"]   # ISO 3166-1 alpha-2; several in one string too
 * message = "Access from your country is not allowed"
 * database = "/var/lib/GeoIP/GeoLite2-Country.mmdb"   # ours: Pingap embeds one, we ship none
 * trusted_proxies = ["10.0.0.0/8"]      # ours: whose X-Forwarded-For is believed (as ip_restriction)
 * </pre>
 *
 * The database is read whole into memory at load (lookups never touch the disk on an event loop).
 * Immutable; thread-safe (MaxMind's reader is).
 */
public final class GeoRestrictionFilterFactory implements FilterFactory {

    public static final String CATEGORY = "geo_restriction";
    static final String DEFAULT_MESSAGE = "Access from your country is not allowed";
    /** The country of an address the database does not place. */
    static final String UNKNOWN = "??";

    enum Mode { ALLOW, DENY, REPORTING }

    @Override
    public String category() {
        return CATEGORY;
    }

    @Override
    public HttpFilter create(PluginConfig config) {
        String t = config.string("type").trim().toLowerCase(Locale.ROOT);
        Mode mode = switch (t) {
            case "allow" -> Mode.ALLOW;
            case "deny" -> Mode.DENY;
            case "reporting" -> Mode.REPORTING;
            default -> throw config.invalid("type", "expected allow, deny or reporting, got \"" + t + "\"");
        };
        Set<String> codes = countryCodes(config);
        if (mode == Mode.ALLOW && codes.isEmpty()) {
            throw config.invalid("country_codes", "an allow list without countries refuses everyone");
        }
        String dir = config.string("database").trim();
        if (dir.startsWith("~")) {
            dir = System.getProperty("user.home") + dir.substring(1);
        }
        Path file = Path.of(dir);
        if (!file.isAbsolute()) {
            throw config.invalid("database", "must be an absolute path (or start with ~), got \"" + dir + "\"");
        }
        if (!Files.isRegularFile(file)) {
            throw config.invalid("database", "no such file: " + file);
        }
        Reader reader;
        try {
            reader = new Reader(file.toFile(), Reader.FileMode.MEMORY, new CHMCache());
        } catch (IOException | RuntimeException e) {
            throw config.invalid("database", "not a MaxMind DB file (" + file + "): " + e.getMessage());
        }
        IpList trusted;
        try {
            trusted = IpList.parse(config.stringList("trusted_proxies"));
        } catch (IllegalArgumentException e) {
            throw config.invalid("trusted_proxies", e.getMessage());
        }
        byte[] message = config.string("message", DEFAULT_MESSAGE).getBytes(StandardCharsets.UTF_8);
        return new GeoRestrictionFilter(mode, codes, reader, trusted.isEmpty() ? null : trusted, message);
    }

    /** Each entry may hold several codes separated by commas or spaces; each is two ASCII letters. */
    private static Set<String> countryCodes(PluginConfig config) {
        List<String> out = new ArrayList<>();
        List<String> entries = config.stringList("country_codes");
        for (int i = 0; i < entries.size(); i++) {
            for (String code : entries.get(i).split("[,\\s]+")) {
                if (code.isEmpty()) {
                    continue;
                }
                String c = code.toUpperCase(Locale.ROOT);
                if (c.length() != 2 || !isAsciiLetter(c.charAt(0)) || !isAsciiLetter(c.charAt(1))) {
                    throw config.invalid("country_codes[" + i + "]", "\"" + code
                            + "\" is not an ISO 3166-1 alpha-2 code (two letters, e.g. \"DE\")");
                }
                out.add(c);
            }
        }
        return Set.copyOf(out);
    }

    private static boolean isAsciiLetter(char c) {
        return c >= 'A' && c <= 'Z';
    }

    /** Immutable; thread-safe. */
    static final class GeoRestrictionFilter implements HttpFilter {
        private static final Logger LOG = LoggerFactory.getLogger(GeoRestrictionFilter.class);

        private final Mode mode;
        private final Set<String> codes;
        private final Reader reader;
        private final IpList trusted;
        private final byte[] message;

        GeoRestrictionFilter(Mode mode, Set<String> codes, Reader reader, IpList trusted, byte[] message) {
            this.mode = mode;
            this.codes = codes;
            this.reader = reader;
            this.trusted = trusted;
            this.message = message;
        }

        @Override
        public Action requestFilter(Session session) {
            byte[] client = ClientAddress.of(session, trusted);
            String country = country(client);
            if (mode == Mode.REPORTING) {
                LOG.info("geo_restriction: client {} country {}", text(client), country);
                return Action.CONTINUE;
            }
            boolean listed = codes.contains(country);
            if (listed == (mode == Mode.ALLOW)) {
                return Action.CONTINUE;
            }
            session.respond(403, "text/plain; charset=utf-8", message);
            return Action.RESPONDED;
        }

        private static String text(byte[] address) {
            try {
                return address == null ? "unparseable" : InetAddress.getByAddress(address).getHostAddress();
            } catch (UnknownHostException e) {
                return "unparseable";
            }
        }

        /** The ISO code of the address's country (else its registered country), or {@link #UNKNOWN}. */
        String country(byte[] address) {
            if (address == null) {
                return UNKNOWN;
            }
            Map<?, ?> record;
            try {
                record = reader.get(InetAddress.getByAddress(address), Map.class);
            } catch (UnknownHostException e) {
                return UNKNOWN; // not 4 or 16 bytes: cannot happen for a socket's address
            } catch (IOException | RuntimeException e) {
                LOG.warn("geo_restriction: lookup failed: {}", e.toString());
                return UNKNOWN;
            }
            if (record == null) {
                return UNKNOWN;
            }
            String code = isoCode(record.get("country"));
            if (code == null) {
                code = isoCode(record.get("registered_country"));
            }
            return code == null ? UNKNOWN : code.toUpperCase(Locale.ROOT);
        }

        private static String isoCode(Object country) {
            return country instanceof Map<?, ?> m && m.get("iso_code") instanceof String s ? s : null;
        }
    }
}
