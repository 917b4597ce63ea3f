package io.pingora4j.server.plugins.compression;

import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * gzip (RFC 1952) with the JDK's {@link Deflater}: a 10-byte header, raw deflate, then CRC-32 and
 * length. Not thread-safe: one response.
 */
final class GzipEncoder implements StreamEncoder {

    private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};

    private final Deflater deflater;
    private final CRC32 crc = new CRC32();
    private final byte[] scratch = new byte[16384];
    private final Sink out = new Sink();
    private long length;
    private boolean started;
    private boolean closed;

    GzipEncoder(int level) {
        deflater = new Deflater(level, true);
    }

    @Override
    public ByteBuffer encode(ByteBuffer chunk, boolean end) {
        if (!started) {
            out.write(HEADER, 0, HEADER.length);
            started = true;
        }
        int n = chunk.remaining();
        if (n > 0) {
            crc.update(chunk.duplicate());
            length += n;
            deflater.setInput(chunk);
            while (!deflater.needsInput()) {
                drain();
            }
            chunk.position(chunk.limit());
        }
        if (end) {
            deflater.finish();
            while (!deflater.finished()) {
                drain();
            }
            long c = crc.getValue();
            byte[] trailer = {(byte) c, (byte) (c >> 8), (byte) (c >> 16), (byte) (c >> 24),
                (byte) length, (byte) (length >> 8), (byte) (length >> 16), (byte) (length >> 24)};
            out.write(trailer, 0, trailer.length);
            close();
        }
        return out.take();
    }

    private void drain() {
        int k = deflater.deflate(scratch, 0, scratch.length, Deflater.NO_FLUSH);
        out.write(scratch, 0, k);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            deflater.end();
        }
    }
}
