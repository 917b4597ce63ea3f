package io.pingora4j.cache.http;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The header fields a shared cache keeps of a response, in order, as parallel name and value
 * arrays (names as received; compared ignoring case).
 *
 * <ul>
 *   <li>What is not kept (§3.1): hop-by-hop fields ({@code Connection}, {@code Keep-Alive},
 *       {@code TE}, {@code Transfer-Encoding}, {@code Upgrade}...), {@code Age} (recomputed on every
 *       use, §4.2.3), {@code Content-Length} (the stored body gives it), the fields a
 *       {@code private="..."} directive names (§5.2.2.7), and the cache's own {@code X-Cache}.
 *   <li>After a 304 (§4.3.4): every field the 304 carries replaces the stored fields of that name;
 *       the others stay.
 * </ul>
 *
 * <p>Immutable and thread-safe (the arrays are never handed out for writing).
 */
public final class StoredFields {

    /** Fields never stored (lower case). */
    private static final Set<String> NOT_STORED = Set.of("connection", "keep-alive", "proxy-connection", "te",
            "trailer", "transfer-encoding", "upgrade", "age", "x-cache", "proxy-authenticate", "proxy-authorization",
            "content-length");

    private final String[] names;
    private final String[] values;

    private StoredFields(String[] names, String[] values) {
        this.names = names;
        this.values = values;
    }

    /**
     * The storable fields of a response.
     *
     * @param names   every field's name, in order
     * @param values  every field's value, parallel to {@code names}
     * @param dropped lower-case names a {@code private="..."} directive lists
     */
    public static StoredFields of(String[] names, String[] values, Set<String> dropped) {
        if (names.length != values.length) {
            throw new IllegalArgumentException("names and values differ in length");
        }
        String[] n = new String[names.length];
        String[] v = new String[names.length];
        int k = 0;
        for (int i = 0; i < names.length; i++) {
            String lower = names[i].toLowerCase(Locale.ROOT);
            if (NOT_STORED.contains(lower) || dropped.contains(lower)) {
                continue;
            }
            n[k] = Objects.requireNonNull(names[i], "name");
            v[k] = Objects.requireNonNull(values[i], "value");
            k++;
        }
        return new StoredFields(Arrays.copyOf(n, k), Arrays.copyOf(v, k));
    }

    /** These fields updated by a 304's (§4.3.4): its storable fields replace the stored ones of their names. */
    public StoredFields updatedBy(StoredFields notModified) {
        List<String> n = new ArrayList<>();
        List<String> v = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            if (!notModified.has(names[i])) {
                n.add(names[i]);
                v.add(values[i]);
            }
        }
        for (int i = 0; i < notModified.names.length; i++) {
            n.add(notModified.names[i]);
            v.add(notModified.values[i]);
        }
        return new StoredFields(n.toArray(new String[0]), v.toArray(new String[0]));
    }

    public int size() {
        return names.length;
    }

    public String name(int i) {
        return names[i];
    }

    public String value(int i) {
        return values[i];
    }

    /** Whether a field of that name is kept. */
    public boolean has(String name) {
        return first(name) != null;
    }

    /** The first value of a field, or null. */
    public String first(String name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equalsIgnoreCase(name)) {
                return values[i];
            }
        }
        return null;
    }

    /** Every value of a field, in order. */
    public String[] all(String name) {
        List<String> out = new ArrayList<>(1);
        for (int i = 0; i < names.length; i++) {
            if (names[i].equalsIgnoreCase(name)) {
                out.add(values[i]);
            }
        }
        return out.toArray(new String[0]);
    }

    /** About the bytes the fields take, for a byte-weighted cache. */
    public long weight() {
        long w = 0;
        for (int i = 0; i < names.length; i++) {
            w += names[i].length() + values[i].length() + 32;
        }
        return w;
    }

    /**
     * The freshness of a response with these fields (§4.2), capped at {@code maxLifetimeSeconds}
     * (the cache's own ceiling); no heuristic lifetime.
     *
     * @param age         the response's {@code Age} as received (not stored), or null
     * @param requestTime when the request was sent, epoch seconds
     * @param now         when the response was received, epoch seconds
     */
    public Freshness freshness(int status, String age, long requestTime, long now, long maxLifetimeSeconds) {
        Freshness.Builder b = Freshness.forResponse(status, CacheControl.parse(all("Cache-Control")))
                .date(all("Date"))
                .expires(all("Expires"))
                .requestTime(Math.min(requestTime, now))
                .responseTime(now);
        if (age != null) {
            b.age(age);
        }
        String lm = first("Last-Modified");
        if (lm != null) {
            b.lastModified(lm);
        }
        return b.build(FreshnessPolicy.NO_HEURISTIC).capLifetime(maxLifetimeSeconds);
    }
}
