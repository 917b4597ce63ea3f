package io.pingora4j.server.route;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pingora4j.server.config.LocationConfig;
import io.pingora4j.server.config.PathMatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PrefixTrieTest {

    private static Route route(int index, String prefix, int weight) {
        return new Route(index, new LocationConfig("p" + index, null, List.of(), PathMatch.parsePingap(prefix), weight,
                true, null, List.of(), List.of(), false, List.of(), List.of(), List.of(), 0, List.of(), null, null, 0,
                false, Map.of()));
    }

    /** The compressed trie against "every prefix that starts the path, best-ranked first". */
    @Test
    void compressedTrieFindsTheSameRouteAsAScanOfAllPrefixes() {
        Random random = new Random(1);
        String alphabet = "/ab";
        for (int round = 0; round < 500; round++) {
            PrefixTrie trie = new PrefixTrie();
            List<Route> routes = new ArrayList<>();
            int n = 1 + random.nextInt(12);
            for (int i = 0; i < n; i++) {
                Route r = route(i, randomString(random, alphabet, 0, 6), random.nextInt(3));
                routes.add(r);
                trie.add(r.location().path().value(), r);
            }
            trie.freeze();
            for (int q = 0; q < 30; q++) {
                String path = randomString(random, alphabet, 0, 8);
                Route expected = null;
                for (Route r : routes) {
                    if (path.startsWith(r.location().path().value()) && (expected == null || r.before(expected))) {
                        expected = r;
                    }
                }
                String query = "?x=" + q;
                assertEquals(expected, trie.best(path + query, path.length(), null), routes + " " + path);
            }
        }
    }

    private static String randomString(Random random, String alphabet, int min, int max) {
        int len = min + random.nextInt(max - min + 1);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < len; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
