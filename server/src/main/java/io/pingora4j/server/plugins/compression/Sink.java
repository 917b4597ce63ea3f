package io.pingora4j.server.plugins.compression;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Where a stream coder writes: collects what one {@link StreamEncoder#encode} call produced and
 * hands it out as a buffer of its own. Not thread-safe.
 */
final class Sink extends OutputStream {

    private byte[] buf = new byte[8192];
    private int size;

    @Override
    public void write(int b) {
        ensure(1);
        buf[size++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, buf, size, len);
        size += len;
    }

    private void ensure(int more) {
        if (size + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
        }
    }

    /** What was written since the last call, as a new buffer; null if nothing. */
    ByteBuffer take() {
        if (size == 0) {
            return null;
        }
        ByteBuffer out = ByteBuffer.wrap(Arrays.copyOf(buf, size));
        size = 0;
        return out;
    }
}
