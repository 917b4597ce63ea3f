package io.pingora4j.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The live figures read from the recorders: totals, per location, and latency quantiles as histogram_quantile. */
class FiguresTest {

    private final ProxyMetrics metrics = new ProxyMetrics(List.of("api", "web"), List.of(), List.of(), List.of());

    @Test
    void countsAreSummedOverLocationsAndLoopsWithTheRequestsStillInFlight() throws Exception {
        Recorder mine = metrics.recorder();
        mine.requestStarted(metrics.location("api"), false);
        mine.requestEnded(metrics.location("api"), 200, 1_000_000, 0, 10);
        mine.requestStarted(metrics.location("web"), false); // still in flight
        Thread other = new Thread(() -> {
            Recorder r = metrics.recorder(); // another loop's own stripe
            r.requestStarted(metrics.location("api"), false);
            r.requestEnded(metrics.location("api"), 503, 2_000_000, 0, 0);
        });
        other.start();
        other.join();

        Figures f = metrics.figures();

        assertEquals(3, f.accepted());
        assertEquals(1, f.processing());
        assertEquals(new Figures.LocationFigures("api", 2, 0), f.locations().get(0));
        assertEquals(new Figures.LocationFigures("web", 1, 1), f.locations().get(1));
        assertEquals(1, f.statusClasses()[2]);
        assertEquals(1, f.statusClasses()[5]);
        assertEquals(2, f.latencyCount());
        assertEquals(0.0015, f.latencyMeanSeconds(), 1e-9);
    }

    @Test
    void aQuantileIsInterpolatedWithinItsBucketAsPrometheusDoes() {
        Recorder r = metrics.recorder();
        int api = metrics.location("api");
        for (int i = 0; i < 90; i++) {
            r.requestStarted(api, false);
            r.requestEnded(api, 200, 800_000, 0, 0); // bucket le=0.001
        }
        for (int i = 0; i < 10; i++) {
            r.requestStarted(api, false);
            r.requestEnded(api, 200, 20_000_000, 0, 0); // bucket le=0.025 (above 0.01)
        }

        Figures f = metrics.figures();

        assertEquals(0.001 * 50 / 90, f.latencyQuantileSeconds(0.5), 1e-9, "rank 50 of 90 in [0, 0.001]: 50/90 of the way");
        assertEquals(0.01 + 0.015 * 0.5, f.latencyQuantileSeconds(0.95), 1e-9, "rank 95: 5 of 10 into (0.01, 0.025]");
    }
}
