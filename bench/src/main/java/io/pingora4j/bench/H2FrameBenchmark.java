package io.pingora4j.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2FrameReader;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.pingora4j.codec.h2.H2Error;
import io.pingora4j.codec.h2.H2FrameHandler;
import io.pingora4j.codec.h2.H2FrameReader;
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
 * Reading a mix of 10 frames ({@link H2Messages#frameMix}: SETTINGS, WINDOW_UPDATEs, a browser's
 * HEADERS, two 1 KiB DATA frames, PING, PRIORITY, RST_STREAM, SETTINGS ACK) from one buffer:
 * our {@link H2FrameReader} beside Netty 4.2's {@link DefaultHttp2FrameReader}.
 *
 * <p>Both sides do the same work per frame: the frame's fields to a listener that blackholes
 * them, DATA payloads as views of the input (Netty: a slice; ours: an index range), and the
 * HEADERS block HPACK-decoded (Netty's reader decodes it itself into Http2Headers; ours hands the
 * fragment to our {@link HpackDecoder} in the handler, as the connection does). Neither side
 * applies stream state: that is the connection's job on both. Each reader is reused; the input is
 * rewound per op, with no copy.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class H2FrameBenchmark {

    private ByteBuffer mix;
    private final Handler handler = new Handler();
    private H2FrameReader reader;

    private ByteBuf nettyMix;
    private DefaultHttp2FrameReader nettyReader;
    private EmbeddedChannel channel;
    private ChannelHandlerContext ctx;
    private final NettyListener nettyListener = new NettyListener();

    /** Our handler: blackholes the fields, decodes the header block. */
    static final class Handler implements H2FrameHandler, HpackDecoder.FieldSink {
        final HpackDecoder hpack = new HpackDecoder(4096, 1 << 16);
        Blackhole bh;
        int frames;

        @Override
        public void onDataFrame(int streamId, int frameLength, int dataLength, boolean endStream) {
            bh.consume(streamId);
            bh.consume(dataLength);
            frames++;
        }

        @Override
        public void onData(int streamId, ByteBuffer in, int at, int length, boolean last) {
            bh.consume(at);
            bh.consume(length);
        }

        @Override
        public void onHeaders(int streamId, boolean endStream, boolean endHeaders, int dependency, boolean exclusive,
                              int weight, int fragmentLength) {
            bh.consume(streamId);
            hpack.beginBlock();
            frames++;
        }

        @Override
        public void onContinuation(int streamId, boolean endHeaders, int fragmentLength) {
            frames++;
        }

        @Override
        public void onHeaderFragment(int streamId, ByteBuffer in, int at, int length) {
            hpack.decode(in, at, at + length, this);
        }

        @Override
        public void onHeaderFrameEnd(int streamId, boolean endHeaders) {
            if (endHeaders) {
                hpack.endBlock();
            }
        }

        @Override
        public void onField(byte[] name, int nameAt, int nameLength, byte[] value, int valueAt, int valueLength,
                            boolean neverIndexed) {
            bh.consume(nameLength);
            bh.consume(valueLength);
        }

        @Override
        public void onPriority(int streamId, int dependency, boolean exclusive, int weight) {
            bh.consume(dependency);
            frames++;
        }

        @Override
        public void onRstStream(int streamId, int errorCode) {
            bh.consume(errorCode);
            frames++;
        }

        @Override
        public void onSetting(int id, long value) {
            bh.consume(value);
        }

        @Override
        public void onSettingsEnd(boolean ack) {
            bh.consume(ack);
            frames++;
        }

        @Override
        public void onPushPromise(int streamId) {
            frames++;
        }

        @Override
        public void onPing(boolean ack, long data) {
            bh.consume(data);
            frames++;
        }

        @Override
        public void onGoAway(int lastStreamId, int errorCode, int debugLength) {
            frames++;
        }

        @Override
        public void onWindowUpdate(int streamId, int increment) {
            bh.consume(increment);
            frames++;
        }

        @Override
        public void onStreamError(int streamId, H2Error error) {
            throw new IllegalStateException(error.name());
        }
    }

    /** Netty's listener: blackholes the same fields. */
    static final class NettyListener extends Http2FrameAdapter {
        Blackhole bh;
        int frames;

        @Override
        public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
            bh.consume(streamId);
            bh.consume(data.readerIndex());
            bh.consume(data.readableBytes());
            frames++;
            return data.readableBytes() + padding;
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
                                  short weight, boolean exclusive, int padding, boolean endStream) {
            bh.consume(streamId);
            bh.consume(headers);
            frames++;
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                                  boolean endStream) {
            bh.consume(streamId);
            bh.consume(headers);
            frames++;
        }

        @Override
        public void onPriorityRead(ChannelHandlerContext ctx, int streamId, int streamDependency, short weight,
                                   boolean exclusive) {
            bh.consume(streamDependency);
            frames++;
        }

        @Override
        public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
            bh.consume(errorCode);
            frames++;
        }

        @Override
        public void onSettingsAckRead(ChannelHandlerContext ctx) {
            frames++;
        }

        @Override
        public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) {
            bh.consume(settings);
            frames++;
        }

        @Override
        public void onPingRead(ChannelHandlerContext ctx, long data) {
            bh.consume(data);
            frames++;
        }

        @Override
        public void onWindowUpdateRead(ChannelHandlerContext ctx, int streamId, int windowSizeIncrement) {
            bh.consume(windowSizeIncrement);
            frames++;
        }
    }

    @Setup(Level.Trial)
    public void setup() throws Http2Exception {
        byte[][] blocks = H2Messages.chromeBlocks();
        byte[] bytes = H2Messages.frameMix(blocks[1]);
        mix = ByteBuffer.wrap(bytes);
        reader = new H2FrameReader(handler, false);
        Blackhole bh = new Blackhole(
                "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
        handler.bh = bh;
        handler.hpack.decodeBlock(ByteBuffer.wrap(blocks[0]), handler); // the connection's first request

        DefaultHttp2HeadersDecoder headers = new DefaultHttp2HeadersDecoder(true);
        headers.decodeHeaders(1, Unpooled.wrappedBuffer(blocks[0]));
        nettyReader = new DefaultHttp2FrameReader(headers);
        nettyMix = Unpooled.wrappedBuffer(bytes);
        nettyListener.bh = bh;
        // the reader takes buffers for header blocks from the context's allocator (the channel's, pooled)
        channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
        ctx = channel.pipeline().firstContext();

        for (int i = 0; i < 3; i++) {
            handler.frames = 0;
            nettyListener.frames = 0;
            ours(bh);
            netty(bh);
            check(handler.frames == H2Messages.MIX_FRAMES, "ours read " + handler.frames + " frames");
            check(nettyListener.frames == H2Messages.MIX_FRAMES, "netty read " + nettyListener.frames + " frames");
        }
        bh.evaporate("Yes, I am Stephen Hawking, and know a thing or two about black holes.");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        nettyMix.release();
        channel.finishAndReleaseAll();
    }

    @Benchmark
    public void ours(Blackhole bh) {
        handler.bh = bh;
        ByteBuffer in = mix;
        in.position(0);
        reader.read(in);
    }

    @Benchmark
    public void netty(Blackhole bh) throws Http2Exception {
        nettyListener.bh = bh;
        ByteBuf in = nettyMix;
        in.readerIndex(0);
        while (in.isReadable()) {
            nettyReader.readFrame(ctx, in, nettyListener);
        }
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("setup check failed: " + what);
        }
    }
}
