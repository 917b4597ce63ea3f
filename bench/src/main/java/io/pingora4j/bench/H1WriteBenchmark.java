package io.pingora4j.bench;

import io.pingora4j.codec.h1.H1Event;
import io.pingora4j.codec.h1.H1Writer;
import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.codec.h1.RequestParser;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Serialising a parsed request head back out: {@link Messages#REQUEST} is parsed once in setup and
 * each op writes it with {@link H1Writer#writeRequestHead} into a preallocated buffer (cleared per
 * op). The fields are copied from the source buffer they were parsed from; {@code bufferKind}
 * sets both the source and the destination to heap or direct. No peer.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class H1WriteBenchmark {

    @Param({"heap", "direct"})
    public String bufferKind;

    private ByteBuffer source;
    private ByteBuffer out;
    private RequestHead head;

    @Setup(Level.Trial)
    public void setup() {
        Messages.checkSizes();
        boolean direct = switch (bufferKind) {
            case "heap" -> false;
            case "direct" -> true;
            default -> throw new IllegalArgumentException(bufferKind);
        };
        byte[] req = Messages.bytes(Messages.REQUEST);
        source = Messages.buffer(req, direct);
        RequestParser parser = new RequestParser();
        if (parser.next(source) != H1Event.HEAD) {
            throw new IllegalStateException("request did not parse");
        }
        head = parser.head();
        out = direct ? ByteBuffer.allocateDirect(1024) : ByteBuffer.allocate(1024);

        int n = writeRequestHead();
        byte[] written = new byte[n];
        out.get(0, written);
        if (!Arrays.equals(written, req)) {
            throw new IllegalStateException("written head differs from the parsed one");
        }
    }

    @Benchmark
    public int writeRequestHead() {
        ByteBuffer o = out;
        o.clear();
        H1Writer.writeRequestHead(head, o);
        return o.position();
    }
}
