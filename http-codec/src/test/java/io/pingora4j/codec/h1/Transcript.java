package io.pingora4j.codec.h1;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Test harness: feeds bytes to a parser the way an event loop does (a buffer that is compacted
 * and refilled between calls) and records the events as text, so runs with different splits
 * can be compared for equality. Consecutive BODY events are merged: only the bytes matter.
 */
final class Transcript {

    /** How the input arrives: in pieces of at most {@code piece} bytes, or split once at {@code split}. */
    record Feed(int piece, int split, boolean direct, ByteOrder order) {
        static Feed whole() {
            return new Feed(Integer.MAX_VALUE, -1, false, ByteOrder.BIG_ENDIAN);
        }

        static Feed pieces(int n) {
            return new Feed(n, -1, false, ByteOrder.BIG_ENDIAN);
        }

        static Feed splitAt(int at) {
            return new Feed(Integer.MAX_VALUE, at, false, ByteOrder.BIG_ENDIAN);
        }

        Feed direct(ByteOrder o) {
            return new Feed(piece, split, true, o);
        }
    }

    private Transcript() {
    }

    static List<String> requests(String input) {
        return run(new RequestParser(), bytes(input), Feed.whole(), true);
    }

    static List<String> requests(H1Limits limits, String input) {
        return run(new RequestParser(limits), bytes(input), Feed.whole(), true);
    }

    static List<String> responses(String input) {
        return run(new ResponseParser(), bytes(input), Feed.whole(), true);
    }

    static List<String> responses(HttpMethod method, String input) {
        ResponseParser p = new ResponseParser();
        p.expectResponseTo(method);
        return run(p, bytes(input), Feed.whole(), true);
    }

    /**
     * Runs {@code parser} over {@code input}. When the input is exhausted and the parser needs
     * more, {@code closeAtEnd} decides whether the peer is then taken to have closed.
     */
    static List<String> run(H1Parser parser, byte[] input, Feed feed, boolean closeAtEnd) {
        List<String> out = new ArrayList<>();
        ByteBuffer buf = feed.direct() ? ByteBuffer.allocateDirect(input.length + 8) : ByteBuffer.allocate(input.length + 8);
        buf.order(feed.order());
        buf.flip();
        int fed = 0;
        StringBuilder body = null;
        int guard = 0;
        while (true) {
            if (++guard > 10 * input.length + 1000) {
                throw new AssertionError("parser does not make progress: " + out);
            }
            H1Event e;
            try {
                e = parser.next(buf);
            } catch (HttpParseException ex) {
                flush(out, body);
                out.add("ERROR " + ex.error());
                return out;
            }
            switch (e) {
                case NEED_MORE:
                    if (fed == input.length) {
                        flush(out, body);
                        body = null;
                        if (!closeAtEnd) {
                            return out;
                        }
                        try {
                            H1Event last = parser.inputClosed();
                            out.add(last == H1Event.END ? "END" : "CLOSED");
                        } catch (HttpParseException ex) {
                            out.add("ERROR " + ex.error());
                        }
                        return out;
                    }
                    int n = feed.split() >= 0
                            ? (fed < feed.split() ? feed.split() - fed : input.length - fed)
                            : Math.min(feed.piece(), input.length - fed);
                    buf.compact();
                    buf.put(input, fed, n);
                    buf.flip();
                    fed += n;
                    break;
                case HEAD:
                    flush(out, body);
                    body = null;
                    out.add(describe(parser.head()));
                    break;
                case BODY: {
                    if (body == null) {
                        body = new StringBuilder();
                    }
                    byte[] b = new byte[parser.bodyLength()];
                    buf.get(parser.bodyStart(), b);
                    body.append(new String(b, StandardCharsets.ISO_8859_1));
                    break;
                }
                case TRAILERS:
                    flush(out, body);
                    body = null;
                    out.add("TRAILERS " + fields(parser.trailers()));
                    break;
                case END:
                    flush(out, body);
                    body = null;
                    out.add("END");
                    break;
                case CLOSED:
                    throw new AssertionError("next() never returns CLOSED");
                default:
                    throw new AssertionError(e);
            }
        }
    }

    private static void flush(List<String> out, StringBuilder body) {
        if (body != null) {
            out.add("BODY " + body);
        }
    }

    static String describe(MessageHead h) {
        StringBuilder sb = new StringBuilder("HEAD ");
        if (h instanceof RequestHead r) {
            sb.append(r.method()).append(' ').append(r.methodName()).append(' ').append(r.target())
                    .append(" form=").append(r.targetForm());
        } else {
            ResponseHead r = (ResponseHead) h;
            sb.append(r.status()).append(" '").append(r.reason()).append('\'');
        }
        sb.append(" v=").append(h.version()).append(" framing=").append(h.framing())
                .append(" cl=").append(h.contentLength()).append(" keepAlive=").append(h.keepAlive())
                .append(' ').append(fields(h.headers()));
        return sb.toString();
    }

    static String fields(HeaderBlock f) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < f.size(); i++) {
            if (i > 0) {
                sb.append(" | ");
            }
            sb.append(f.name(i)).append(": ").append(f.value(i));
        }
        return sb.append(']').toString();
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The last line of a transcript, e.g. "ERROR BARE_LF". */
    static String last(List<String> t) {
        return t.get(t.size() - 1);
    }

    /** The H1Error a request is refused with, or null if it parses. */
    static H1Error requestError(String input) {
        return errorOf(requests(input));
    }

    static H1Error requestError(H1Limits limits, String input) {
        return errorOf(requests(limits, input));
    }

    static H1Error responseError(String input) {
        return errorOf(responses(input));
    }

    static H1Error errorOf(List<String> t) {
        String l = last(t);
        return l.startsWith("ERROR ") ? H1Error.valueOf(l.substring(6)) : null;
    }
}
