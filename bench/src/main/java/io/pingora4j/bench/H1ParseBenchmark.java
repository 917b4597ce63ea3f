package io.pingora4j.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.pingora4j.codec.h1.BodyFraming;
import io.pingora4j.codec.h1.H1Event;
import io.pingora4j.codec.h1.HttpMethod;
import io.pingora4j.codec.h1.RequestHead;
import io.pingora4j.codec.h1.RequestParser;
import io.pingora4j.codec.h1.ResponseHead;
import io.pingora4j.codec.h1.ResponseParser;
import java.nio.ByteBuffer;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Parsing one whole HTTP/1.1 message that sits in one buffer: ours ({@link RequestParser} /
 * {@link ResponseParser}) beside Netty 4.2's {@link HttpRequestDecoder} / {@link HttpResponseDecoder}.
 *
 * <h2>Messages</h2>
 * {@link Messages#REQUEST}: a Chrome navigation, 12 fields, 450-550 bytes, no body.
 * {@link Messages#RESPONSE}: an nginx-style 200 head of 250-350 bytes, 10 fields, then a 19-byte
 * Content-Length body; both sides parse it to the end of the body.
 *
 * <h2>Cost model (the same on both sides)</h2>
 * Each side has one prepared buffer holding the message, made once in setup ({@code bufferKind}
 * heap or direct: a {@link ByteBuffer} for ours, an unpooled {@link ByteBuf} for Netty), and one
 * decoder reused from op to op. Per op the buffer is rewound, with no copy and no allocation:
 * ours sets the position back to 0; Netty's is {@code retain()}ed and its reader index set back
 * to 0, and the decoder's release when it has consumed it all brings the count back to 1. So the
 * input costs neither side anything and what is measured is the decoder.
 *
 * <h2>What each side delivers</h2>
 * Ours loops {@code next()} until END and blackholes method, field count and Content-Length (and
 * the body length): the fields stay slices of the buffer and no String is made. Netty's decoder
 * runs inside an {@link EmbeddedChannel} (as Netty's own microbenchmarks do), fed by
 * {@code pipeline.fireChannelRead + fireChannelReadComplete}, i.e. what one socket read costs; a
 * sink at the pipeline's end blackholes the {@link HttpRequest}/{@link HttpResponse} (method or
 * status, header count) and the content's length, and releases each message. Netty's messages
 * are materialised: a DefaultHttpHeaders with a String (or AsciiString) per name and value, the
 * request URI as a String, a retained slice per content chunk. That is work its users get for the
 * price, and ours defers (or never does) — read the ratio with that in mind. {@link #nettyPipelineOnly}
 * measures the pipeline round trip alone (no decoder) so it can be subtracted.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class H1ParseBenchmark {

    @Param({"heap", "direct"})
    public String bufferKind;

    // ours
    private ByteBuffer request;
    private ByteBuffer response;
    private final RequestParser requestParser = new RequestParser();
    private final ResponseParser responseParser = new ResponseParser();

    // Netty
    private ByteBuf nettyRequest;
    private ByteBuf nettyResponse;
    private ByteBuf nettyEmpty;
    private EmbeddedChannel requestChannel;
    private EmbeddedChannel responseChannel;
    private EmbeddedChannel baselineChannel;
    private ChannelPipeline requestPipeline;
    private ChannelPipeline responsePipeline;
    private ChannelPipeline baselinePipeline;
    private final Sink requestSink = new Sink();
    private final Sink responseSink = new Sink();
    private final Sink baselineSink = new Sink();

    @Setup(Level.Trial)
    public void setup() {
        Messages.checkSizes();
        boolean direct = switch (bufferKind) {
            case "heap" -> false;
            case "direct" -> true;
            default -> throw new IllegalArgumentException(bufferKind);
        };
        byte[] req = Messages.bytes(Messages.REQUEST);
        byte[] resp = Messages.bytes(Messages.RESPONSE);
        request = Messages.buffer(req, direct);
        response = Messages.buffer(resp, direct);
        nettyRequest = (direct ? Unpooled.directBuffer(req.length) : Unpooled.buffer(req.length)).writeBytes(req);
        nettyResponse = (direct ? Unpooled.directBuffer(resp.length) : Unpooled.buffer(resp.length)).writeBytes(resp);
        nettyEmpty = direct ? Unpooled.directBuffer(16) : Unpooled.buffer(16);
        requestChannel = new EmbeddedChannel(new HttpRequestDecoder(), requestSink);
        responseChannel = new EmbeddedChannel(new HttpResponseDecoder(), responseSink);
        baselineChannel = new EmbeddedChannel(baselineSink);
        requestPipeline = requestChannel.pipeline();
        responsePipeline = responseChannel.pipeline();
        baselinePipeline = baselineChannel.pipeline();
        verify();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        requestChannel.finishAndReleaseAll();
        responseChannel.finishAndReleaseAll();
        baselineChannel.finishAndReleaseAll();
        nettyRequest.release();
        nettyResponse.release();
        nettyEmpty.release();
    }

    // ------------------------------------------------------------------ ours

    @Benchmark
    public void requestOurs(Blackhole bh) {
        ByteBuffer in = request;
        in.position(0);
        RequestParser p = requestParser;
        H1Event e;
        while ((e = p.next(in)) != H1Event.END) {
            if (e == H1Event.HEAD) {
                RequestHead h = p.head();
                bh.consume(h.method());
                bh.consume(h.headers().size());
                bh.consume(h.contentLength());
            } else if (e != H1Event.BODY) {
                throw new IllegalStateException(e.name());
            }
        }
    }

    @Benchmark
    public void responseOurs(Blackhole bh) {
        ByteBuffer in = response;
        in.position(0);
        ResponseParser p = responseParser;
        H1Event e;
        while ((e = p.next(in)) != H1Event.END) {
            if (e == H1Event.HEAD) {
                ResponseHead h = p.head();
                bh.consume(h.status());
                bh.consume(h.headers().size());
                bh.consume(h.contentLength());
            } else if (e == H1Event.BODY) {
                bh.consume(p.bodyLength());
            } else {
                throw new IllegalStateException(e.name());
            }
        }
    }

    // ------------------------------------------------------------------ Netty

    @Benchmark
    public void requestNetty(Blackhole bh) {
        requestSink.bh = bh;
        ByteBuf in = nettyRequest.retain();
        in.readerIndex(0);
        requestPipeline.fireChannelRead(in);
        requestPipeline.fireChannelReadComplete();
    }

    @Benchmark
    public void responseNetty(Blackhole bh) {
        responseSink.bh = bh;
        ByteBuf in = nettyResponse.retain();
        in.readerIndex(0);
        responsePipeline.fireChannelRead(in);
        responsePipeline.fireChannelReadComplete();
    }

    /** The EmbeddedChannel round trip Netty's figures include, with no decoder: a buffer to the sink. */
    @Benchmark
    public void nettyPipelineOnly(Blackhole bh) {
        baselineSink.bh = bh;
        baselinePipeline.fireChannelRead(nettyEmpty.retain());
        baselinePipeline.fireChannelReadComplete();
    }

    /** Blackholes and releases what reaches the end of the pipeline. */
    static final class Sink extends ChannelInboundHandlerAdapter {
        Blackhole bh;
        int messages;
        int lastContents;
        Object lastMessage;
        boolean keep;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            messages++;
            if (msg instanceof HttpRequest r) {
                bh.consume(r.method());
                bh.consume(r.headers().size());
            } else if (msg instanceof HttpResponse r) {
                bh.consume(r.status().code());
                bh.consume(r.headers().size());
            }
            if (msg instanceof HttpContent c) {
                bh.consume(c.content().readableBytes());
                if (msg instanceof LastHttpContent) {
                    lastContents++;
                }
            } else if (msg instanceof ByteBuf b) {
                bh.consume(b.readableBytes());
            }
            if (keep && msg instanceof HttpObject && !(msg instanceof HttpContent)) {
                lastMessage = msg;
            }
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            // end of the line: nothing to pass on
        }
    }

    // ------------------------------------------------------------------ checks

    /** Runs every benchmark body a few times and checks each side parsed what it should. */
    private void verify() {
        Blackhole bh = new Blackhole(
                "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
        try {
            for (int i = 0; i < 3; i++) {
                requestOurs(bh);
                responseOurs(bh);
                RequestHead rh = requestParser.head();
                check(rh.method() == HttpMethod.GET && rh.headers().size() == Messages.REQUEST_FIELDS
                        && rh.framing() == BodyFraming.NONE && request.remaining() == 0, "ours: request");
                ResponseHead sh = responseParser.head();
                check(sh.status() == 200 && sh.headers().size() == Messages.RESPONSE_FIELDS
                        && sh.contentLength() == 19 && response.remaining() == 0, "ours: response");

                requestSink.keep = true;
                responseSink.keep = true;
                requestSink.messages = responseSink.messages = 0;
                requestNetty(bh);
                responseNetty(bh);
                HttpRequest nr = (HttpRequest) requestSink.lastMessage;
                check(requestSink.messages == 2 && nr.decoderResult().isSuccess()
                        && nr.headers().size() == Messages.REQUEST_FIELDS
                        && "/shoes/running?size=42".equals(nr.uri()), "netty: request");
                HttpResponse ns = (HttpResponse) responseSink.lastMessage;
                check(responseSink.messages == 2 && ns.decoderResult().isSuccess() && ns.status().code() == 200
                        && ns.headers().size() == Messages.RESPONSE_FIELDS, "netty: response head and body");
                check(nettyRequest.refCnt() == 1 && nettyResponse.refCnt() == 1
                        && !nettyRequest.isReadable() && !nettyResponse.isReadable(), "netty: input consumed and released");
                requestSink.keep = false;
                responseSink.keep = false;
                requestSink.lastMessage = responseSink.lastMessage = null;

                nettyPipelineOnly(bh);
                check(nettyEmpty.refCnt() == 1, "netty: baseline released");
            }
        } finally {
            bh.evaporate("Yes, I am Stephen Hawking, and know a thing or two about black holes.");
        }
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("setup check failed: " + what);
        }
    }
}
