package io.pingora4j.bench;

import io.pingora4j.lb.Algorithm;
import io.pingora4j.lb.Backend;
import io.pingora4j.lb.BackendSet;
import io.pingora4j.lb.RequestKeyView;
import io.pingora4j.lb.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
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
 * Cost of one {@link Selector#select} per algorithm, with 3 and 100 backends.
 *
 * <h2>Backends</h2>
 * {@code 10.0.I.J:8080} with weights 1, 2, 3 in turn (so weighted round robin, random and p2c
 * have unequal weights to work with) and, for least_conn and p2c, in-flight counts 0..4 in turn,
 * so comparisons are not all ties. All backends up, no circuit breakers: the common case.
 *
 * <h2>Requests</h2>
 * 256 prepared requests (URL text, client IP text and raw bytes) cycled per op through one
 * reused {@link RequestKeyView}, as an event loop reuses its view over the parsed request.
 * Nothing is allocated per op here, so {@code -prof gc} measures the selectors: every one of
 * them should show ~0 B/op.
 *
 * <p>Single-threaded ({@code Scope.Thread}): round robin's cursor and smooth WRR's monitor are
 * uncontended here, which is the per-loop cost, not the cost under contention.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LbSelectBenchmark {

    private static final int REQUESTS = 256; // a power of two: the cycle is a mask

    @Param({"round_robin", "weighted_round_robin", "least_conn", "ip_hash", "random", "p2c", "hash:url", "hash:ip"})
    public String algorithm;

    @Param({"3", "100"})
    public int backends;

    private Selector selector;
    private final PreparedRequest request = new PreparedRequest();
    private String[] urls;
    private String[] ipTexts;
    private byte[][] ipBytes;
    private int next;

    @Setup
    public void setup() {
        List<Backend> list = new ArrayList<>(backends);
        for (int i = 0; i < backends; i++) {
            list.add(Backend.of("10.0." + (i / 250) + "." + (i % 250 + 1) + ":8080", i % 3 + 1));
        }
        BackendSet set = new BackendSet(list);
        for (int i = 0; i < backends; i++) {
            for (int k = 0; k < i % 5; k++) {
                set.stats(i).onRequestStart();
            }
        }
        selector = Algorithm.parse(algorithm).newSelector(set);

        SplittableRandom random = new SplittableRandom(11);
        urls = new String[REQUESTS];
        ipTexts = new String[REQUESTS];
        ipBytes = new byte[REQUESTS][];
        for (int k = 0; k < REQUESTS; k++) {
            urls[k] = "/api/v1/items/" + random.nextInt(1_000_000) + "?lang=en&page=" + random.nextInt(50);
            byte[] ip = {(byte) 198, (byte) 51, (byte) random.nextInt(256), (byte) random.nextInt(256)};
            ipBytes[k] = ip;
            ipTexts[k] = (ip[0] & 0xFF) + "." + (ip[1] & 0xFF) + "." + (ip[2] & 0xFF) + "." + (ip[3] & 0xFF);
        }
    }

    @Benchmark
    public int select() {
        int k = next++ & (REQUESTS - 1);
        request.url = urls[k];
        request.ipText = ipTexts[k];
        request.ipBytes = ipBytes[k];
        return selector.select(request);
    }

    /** The one view reused for every request; its fields point at prepared data. Owned by one thread. */
    static final class PreparedRequest implements RequestKeyView {
        CharSequence url;
        CharSequence ipText;
        byte[] ipBytes;

        @Override
        public CharSequence url() {
            return url;
        }

        @Override
        public CharSequence clientIp() {
            return ipText;
        }

        @Override
        public byte[] clientAddress() {
            return ipBytes;
        }
    }
}
