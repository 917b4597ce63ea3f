package io.pingora4j.bench;

import io.pingora4j.server.config.HostPattern;
import io.pingora4j.server.config.LocationConfig;
import io.pingora4j.server.config.PathMatch;
import io.pingora4j.server.route.RouteMatch;
import io.pingora4j.server.route.Router;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Routing cost as the number of host/prefix locations grows (10, 100, 1,000): it should stay
 * flat, because exact hosts are a hash lookup, wildcard hosts one lookup per dot of the request
 * host, and prefixes a walk down a trie ({@link Router}).
 *
 * <h2>Locations</h2>
 * Location {@code i} of {@code n}: a third have an exact host {@code tI.example.com}, a third a
 * wildcard {@code *.wI.example.com}, a third no host; each has the prefix {@code /svcI/api}. Two
 * catch-alls ({@code /} and {@code /static}) sit beside them. No regex: the indexed path.
 *
 * <h2>Requests</h2>
 * 256 prepared (host, target) pairs cycled per op, spread over the locations, with ports,
 * queries, mixed-case hosts and a share of misses that fall to a catch-all, so neither the branch
 * predictor nor one hot trie path gets a free ride. One {@link RouteMatch} is reused (as an event
 * loop does); {@code -prof gc} should show ~0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RouterBenchmark {

    @Param({"10", "100", "1000"})
    public int locations;

    private Router router;
    private final RouteMatch match = new RouteMatch();
    private String[] hosts;
    private String[] targets;
    private int next;

    @Setup
    public void setup() {
        List<LocationConfig> list = new ArrayList<>();
        for (int i = 0; i < locations; i++) {
            List<HostPattern> hostList = switch (i % 3) {
                case 0 -> List.of(HostPattern.parse("t" + i + ".example.com"));
                case 1 -> List.of(HostPattern.parse("*.w" + i + ".example.com"));
                default -> List.of();
            };
            list.add(location("l" + i, hostList, PathMatch.parsePingap("/svc" + i + "/api")));
        }
        list.add(location("static", List.of(), PathMatch.parsePingap("/static")));
        list.add(location("root", List.of(), PathMatch.parsePingap("/")));
        router = Router.of(list);

        int requests = 256;
        hosts = new String[requests];
        targets = new String[requests];
        java.util.Random random = new java.util.Random(7);
        for (int k = 0; k < requests; k++) {
            int i = random.nextInt(locations);
            hosts[k] = switch (i % 3) {
                case 0 -> k % 4 == 0 ? "T" + i + ".Example.com:8080" : "t" + i + ".example.com";
                case 1 -> "app.w" + i + ".example.com";
                default -> "www.example.org";
            };
            targets[k] = switch (k % 8) {
                case 0 -> "/static/app.js";
                case 1 -> "/svc" + i + "/api/users/42?page=3&sort=name";
                case 2 -> "/nothing/here";
                default -> "/svc" + i + "/api/orders/" + k;
            };
        }
        // sanity: every request routes somewhere and the indexed host/prefix ones hit their own location
        for (int k = 0; k < requests; k++) {
            if (!router.match(hosts[k], targets[k], match)) {
                throw new IllegalStateException("no route for " + hosts[k] + targets[k]);
            }
        }
    }

    private static LocationConfig location(String name, List<HostPattern> hosts, PathMatch path) {
        return new LocationConfig(name, "up", hosts, path, LocationConfig.pingapWeight(path, !hosts.isEmpty()), false,
                null, List.of(), List.of(), false, List.of(), List.of(), List.of(), 0, List.of(), null, null, 0, false,
                Map.of());
    }

    @Benchmark
    public Object match() {
        int k = next++ & 255;
        router.match(hosts[k], targets[k], match);
        return match.route();
    }
}
