package io.pingora4j.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.codec.h2.H2Connection;
import io.pingora4j.codec.h2.H2ErrorCode;
import io.pingora4j.codec.h2.H2Exception;
import io.pingora4j.codec.h2.H2FrameSink;
import io.pingora4j.codec.h2.H2FrameWriter;
import io.pingora4j.codec.h2.H2Frames;
import io.pingora4j.codec.h2.H2Limits;
import io.pingora4j.codec.h2.H2Listener;
import io.pingora4j.codec.h2.HpackDecoder;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * HPACK decoding of a browser's request header block ({@link H2Messages#CHROME}: 19 fields,
 * cookies, the second request of a connection so most fields are indexes into a warmed dynamic
 * table): ours beside Netty 4.2's HPACK decoder ({@link DefaultHttp2HeadersDecoder}, the public
 * face of its {@code HpackDecoder}).
 *
 * <ul>
 *   <li>{@link #hpackOurs}: {@link HpackDecoder} to a sink that blackholes each field's lengths.
 *       The fields are bytes in a reused buffer; no String, no header object.</li>
 *   <li>{@link #hpackNetty}: Netty decodes into a {@code DefaultHttp2Headers} (an AsciiString per
 *       name and value, header validation on, as its codec runs it).</li>
 *   <li>{@link #requestHeadersFrameOurs}: the whole server path an engine gets for that block: a
 *       HEADERS frame through {@link H2Connection} — frame header, HPACK, the h2 field rules, the
 *       downgrade to an h1 {@code RequestHead} (h1 parser included), stream opened and reset.
 *       More work than either HPACK figure; shown so the per-request cost is on record.</li>
 * </ul>
 * Each side reuses its decoder; the input buffer is rewound per op, with no copy.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class H2HpackBenchmark {

    private ByteBuffer block;
    private final HpackDecoder decoder = new HpackDecoder(4096, 1 << 16);
    private final Fields fields = new Fields();

    private ByteBuf nettyBlock;
    private DefaultHttp2HeadersDecoder nettyDecoder;

    private H2Connection conn;
    private final Engine engine = new Engine();
    private ByteBuffer frame;
    private int nextStream;

    /** Our sink: blackholes each field's lengths. */
    static final class Fields implements HpackDecoder.FieldSink {
        Blackhole bh;
        int count;

        @Override
        public void onField(byte[] name, int nameAt, int nameLength, byte[] value, int valueAt, int valueLength,
                            boolean neverIndexed) {
            bh.consume(nameLength);
            bh.consume(valueLength);
            count++;
        }
    }

    /** A server engine in miniature: consumes each request head and resets the stream. */
    static final class Engine implements H2Listener, H2FrameSink {
        final ByteBuffer out = ByteBuffer.allocate(1 << 16);
        H2Connection conn;
        Blackhole bh;
        int heads;

        @Override
        public ByteBuffer reserve(int bytes) {
            if (out.remaining() < bytes) {
                out.clear();
            }
            return out;
        }

        @Override
        public void payload(ByteBuffer data) {
        }

        @Override
        public void onRequestHeaders(int streamId, RequestHead head, boolean endStream) {
            bh.consume(head.method());
            bh.consume(head.headers().size());
            heads++;
            conn.resetStream(streamId, H2ErrorCode.NO_ERROR);
        }

        @Override
        public void onData(int streamId, ByteBuffer data, boolean endStream) {
        }

        @Override
        public void onRefusedStream(int streamId, H2Exception cause) {
            throw new IllegalStateException("refused: " + cause);
        }

        @Override
        public void onConnectionError(H2Exception error) {
            throw new IllegalStateException(error);
        }
    }

    @Setup(Level.Trial)
    public void setup() throws Http2Exception {
        byte[][] blocks = H2Messages.chromeBlocks();
        block = ByteBuffer.wrap(blocks[1]);
        Fields warm = new Fields();
        warm.bh = new Blackhole("Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
        decoder.decodeBlock(ByteBuffer.wrap(blocks[0]), warm);

        nettyDecoder = new DefaultHttp2HeadersDecoder(true);
        nettyDecoder.decodeHeaders(1, Unpooled.wrappedBuffer(blocks[0]));
        nettyBlock = Unpooled.wrappedBuffer(blocks[1]);

        conn = new H2Connection(H2Connection.Role.SERVER, H2Limits.DEFAULTS, engine, engine);
        engine.conn = conn;
        conn.start();
        ByteBuffer start = ByteBuffer.allocate(4096);
        start.put(H2Frames.preface());
        H2FrameWriter.settings(start, new int[0], new long[0], 0);
        H2FrameWriter.settingsAck(start);
        start.put(H2Messages.headersFrame(1, blocks[0]));
        engine.bh = warm.bh;
        conn.receive(start.flip(), 0);
        frame = ByteBuffer.wrap(H2Messages.headersFrame(3, blocks[1]));
        nextStream = 3;
        verify(warm.bh);
        warm.bh.evaporate("Yes, I am Stephen Hawking, and know a thing or two about black holes.");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        nettyBlock.release();
    }

    @Benchmark
    public void hpackOurs(Blackhole bh) {
        fields.bh = bh;
        ByteBuffer in = block;
        in.position(0);
        decoder.decodeBlock(in, fields);
    }

    @Benchmark
    public Http2Headers hpackNetty() throws Http2Exception {
        ByteBuf in = nettyBlock;
        in.readerIndex(0);
        return nettyDecoder.decodeHeaders(3, in);
    }

    @Benchmark
    public void requestHeadersFrameOurs(Blackhole bh) {
        engine.bh = bh;
        ByteBuffer f = frame;
        int id = nextStream;
        nextStream = id >= 0x7fff_0000 ? 3 : id + 2;
        f.putInt(5, id);
        f.position(0);
        conn.receive(f, 0);
        conn.outboundDrained();
    }

    private void verify(Blackhole bh) throws Http2Exception {
        fields.bh = bh;
        fields.count = 0;
        hpackOurs(bh);
        check(fields.count == H2Messages.CHROME_FIELDS, "ours: " + fields.count + " fields");
        Http2Headers h = hpackNetty();
        check(h.size() == H2Messages.CHROME_FIELDS && "/static/app.js?v=12".contentEquals(h.path()), "netty: " + h);
        int before = engine.heads;
        requestHeadersFrameOurs(bh);
        check(engine.heads == before + 1 && conn.activeStreams() == 0, "ours: request head delivered");
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("setup check failed: " + what);
        }
    }
}
