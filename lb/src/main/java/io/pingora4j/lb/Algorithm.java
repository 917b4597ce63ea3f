package io.pingora4j.lb;

import java.util.Locale;
import java.util.Objects;

/**
 * A load-balancing algorithm as written in configuration, and the factory for its {@link Selector}.
 *
 * <p>Accepted spellings (case-insensitive, '-' same as '_'):
 * <ul>
 *   <li>{@code round_robin}: plain rotation, ignoring weights;</li>
 *   <li>{@code weighted_round_robin} (also {@code wrr}): nginx's smooth weighted round robin;</li>
 *   <li>{@code least_conn} (also {@code least_connections}): fewest in-flight per weight;</li>
 *   <li>{@code ip_hash}: nginx's ip_hash;</li>
 *   <li>{@code random}: weighted random;</li>
 *   <li>{@code p2c}, {@code power_of_two}: power of two choices;</li>
 *   <li>{@code hash:KEY} (Pingap) and {@code consistent_hash:KEY}: ketama consistent hashing on a
 *       {@link HashKey} such as {@code ip}, {@code header:X-User}, {@code cookie:sid}, {@code query:uid},
 *       {@code url}, {@code path}.</li>
 * </ul>
 *
 * The server should map a plain {@code round_robin} upstream that has non-equal weights to
 * {@link Kind#WEIGHTED_ROUND_ROBIN} if it wants Pingap's behaviour (Pingora's round robin is weighted);
 * this parser keeps the two apart.
 *
 * @param kind the algorithm
 * @param key  the hash key for {@link Kind#CONSISTENT_HASH}; null otherwise
 */
public record Algorithm(Kind kind, HashKey key) {

    public enum Kind { ROUND_ROBIN, WEIGHTED_ROUND_ROBIN, LEAST_CONN, IP_HASH, RANDOM, POWER_OF_TWO, CONSISTENT_HASH }

    static final String ACCEPTED = "round_robin, weighted_round_robin, least_conn, ip_hash, random, p2c, "
            + "power_of_two, hash:KEY, consistent_hash:KEY (KEY: " + HashKey.ACCEPTED + ")";

    public static final Algorithm DEFAULT = new Algorithm(Kind.ROUND_ROBIN, null);

    public Algorithm {
        Objects.requireNonNull(kind, "kind");
        if ((kind == Kind.CONSISTENT_HASH) != (key != null)) {
            throw new IllegalArgumentException("a hash key goes with consistent_hash and only with it");
        }
    }

    /**
     * Parses an algorithm spelling.
     *
     * @throws IllegalArgumentException naming the value and listing the accepted spellings
     */
    public static Algorithm parse(String spec) {
        Objects.requireNonNull(spec, "spec");
        String s = spec.strip();
        int colon = s.indexOf(':');
        String head = (colon < 0 ? s : s.substring(0, colon)).toLowerCase(Locale.ROOT).replace('-', '_');
        if (colon >= 0) {
            if (!head.equals("hash") && !head.equals("consistent_hash")) {
                throw new IllegalArgumentException("unknown load balancing algorithm \"" + spec + "\"; accepted: " + ACCEPTED);
            }
            HashKey key;
            try {
                key = HashKey.parse(s.substring(colon + 1));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("load balancing algorithm \"" + spec + "\": " + e.getMessage(), e);
            }
            return new Algorithm(Kind.CONSISTENT_HASH, key);
        }
        Kind kind = switch (head) {
            case "round_robin", "roundrobin", "rr" -> Kind.ROUND_ROBIN;
            case "weighted_round_robin", "wrr", "smooth_weighted_round_robin" -> Kind.WEIGHTED_ROUND_ROBIN;
            case "least_conn", "least_connections", "leastconn" -> Kind.LEAST_CONN;
            case "ip_hash", "iphash" -> Kind.IP_HASH;
            case "random" -> Kind.RANDOM;
            case "p2c", "power_of_two", "power_of_two_choices" -> Kind.POWER_OF_TWO;
            case "hash", "consistent_hash" -> throw new IllegalArgumentException("load balancing algorithm \""
                    + spec + "\" needs a key, e.g. " + head + ":ip or " + head + ":header:X-User");
            default -> throw new IllegalArgumentException("unknown load balancing algorithm \"" + spec
                    + "\"; accepted: " + ACCEPTED);
        };
        return new Algorithm(kind, null);
    }

    /** A new selector of this algorithm over {@code set}; each upstream gets its own (they hold state). */
    public Selector newSelector(BackendSet set) {
        return switch (kind) {
            case ROUND_ROBIN -> new RoundRobin(set);
            case WEIGHTED_ROUND_ROBIN -> new SmoothWeightedRoundRobin(set);
            case LEAST_CONN -> new LeastConnections(set);
            case IP_HASH -> new IpHash(set);
            case RANDOM -> new RandomSelection(set);
            case POWER_OF_TWO -> new PowerOfTwoChoices(set);
            case CONSISTENT_HASH -> new ConsistentHash(set, key);
        };
    }

    /** The canonical spelling, which {@link #parse} accepts. */
    public String spec() {
        return switch (kind) {
            case ROUND_ROBIN -> "round_robin";
            case WEIGHTED_ROUND_ROBIN -> "weighted_round_robin";
            case LEAST_CONN -> "least_conn";
            case IP_HASH -> "ip_hash";
            case RANDOM -> "random";
            case POWER_OF_TWO -> "p2c";
            case CONSISTENT_HASH -> "hash:" + key.spec();
        };
    }

    @Override
    public String toString() {
        return spec();
    }
}
