package io.pingora4j.server.metrics;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each labelled series lives in a {@link Shard}'s arrays: resolved once, when the
 * configuration is loaded, so recording is an array index, never a label lookup. Label values are
 * the configuration's names; index {@link #unrouted()} is the location of requests no location
 * took (404 without a match, ACME answers), printed as {@code location=""}. Immutable.
 */
final class Layout {

    /** Statuses kept per location: 100..599. */
    static final int STATUSES = 500;
    /** Cache results per cache plugin, in this order. */
    static final List<String> CACHE_RESULTS = List.of("hit", "miss", "stale", "expired");

    final List<String> locations;
    final List<String> upstreams;
    final List<String> cachePlugins;
    final List<String> limitPlugins;

    // counters and gauges: offsets into Shard.values
    final int requests;
    final int inflight;
    final int statuses;
    final int receivedBytes;
    final int sentBytes;
    final int connectionReuses;
    final int upstreamReuses;
    final int upstreamInUse;
    final int upstreamRequests;
    final int cache;
    final int limitRefusals;
    private final int values;

    // histograms: offsets into Shard.histograms, one series after another
    final int responseTime;
    final int receivedSize;
    final int sentSize;
    final int upstreamConnectTime;
    final int upstreamTlsTime;
    final int upstreamProcessingTime;
    final int upstreamResponseTime;
    private final int histogramSlots;

    private final Map<String, Integer> locationIndex = new HashMap<>();
    private final Map<String, Integer> upstreamIndex = new HashMap<>();
    private final Map<String, Integer> cacheIndex = new HashMap<>();
    private final Map<String, Integer> limitIndex = new HashMap<>();

    Layout(List<String> locations, List<String> upstreams, List<String> cachePlugins, List<String> limitPlugins) {
        this.locations = List.copyOf(locations);
        this.upstreams = List.copyOf(upstreams);
        this.cachePlugins = List.copyOf(cachePlugins);
        this.limitPlugins = List.copyOf(limitPlugins);
        index(locations, locationIndex);
        index(upstreams, upstreamIndex);
        index(cachePlugins, cacheIndex);
        index(limitPlugins, limitIndex);
        int l = locations.size() + 1; // + the unrouted
        int u = upstreams.size();
        int at = 0;
        requests = at;
        at += l;
        inflight = at;
        at += l;
        statuses = at;
        at += l * STATUSES;
        receivedBytes = at;
        at += l;
        sentBytes = at;
        at += l;
        connectionReuses = at;
        at += 1;
        upstreamReuses = at;
        at += u;
        upstreamInUse = at;
        at += u;
        upstreamRequests = at;
        at += u;
        cache = at;
        at += cachePlugins.size() * CACHE_RESULTS.size();
        limitRefusals = at;
        at += limitPlugins.size();
        values = at;

        int s = Buckets.SECONDS.slots() + 2;
        int b = Buckets.BYTES.slots() + 2;
        int h = 0;
        responseTime = h;
        h += l * s;
        receivedSize = h;
        h += l * b;
        sentSize = h;
        h += l * b;
        upstreamConnectTime = h;
        h += u * s;
        upstreamTlsTime = h;
        h += u * s;
        upstreamProcessingTime = h;
        h += u * s;
        upstreamResponseTime = h;
        h += u * s;
        histogramSlots = h;
    }

    private static void index(List<String> names, Map<String, Integer> into) {
        for (int i = 0; i < names.size(); i++) {
            into.put(names.get(i), i);
        }
    }

    int values() {
        return values;
    }

    int histogramSlots() {
        return histogramSlots;
    }

    /** The location series of requests no location took. */
    int unrouted() {
        return locations.size();
    }

    /** A location's series; the unrouted one for a name this layout does not know. */
    int location(String name) {
        Integer i = name == null ? null : locationIndex.get(name);
        return i == null ? unrouted() : i;
    }

    /** An upstream's series, or -1. */
    int upstream(String name) {
        Integer i = name == null ? null : upstreamIndex.get(name);
        return i == null ? -1 : i;
    }

    /** A cache plugin's series, or -1. */
    int cachePlugin(String name) {
        Integer i = cacheIndex.get(name);
        return i == null ? -1 : i;
    }

    /** A limit plugin's series, or -1. */
    int limitPlugin(String name) {
        Integer i = limitIndex.get(name);
        return i == null ? -1 : i;
    }

    /** Slot of a status in a location's block; a status outside 100..599 counts as 500. */
    static int statusSlot(int status) {
        return status >= 100 && status <= 599 ? status - 100 : 400;
    }

    /** Where the histogram series {@code series} of a family at {@code base} starts. */
    static int series(int base, Buckets buckets, int series) {
        return base + series * (buckets.slots() + 2);
    }
}
