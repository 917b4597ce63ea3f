package io.pingora4j.engine;

import java.lang.reflect.Field;
import java.nio.ByteBuffer;

/**
 * Frees a direct buffer's native memory now rather than when the collector finds the buffer
 * (sun.misc.Unsafe.invokeCleaner, in the jdk.unsupported module every JDK ships; looked up once).
 * Where it is not available the buffer is simply left to the collector.
 */
final class DirectMemory {

    private static final sun.misc.Unsafe UNSAFE = unsafe();

    private DirectMemory() {
    }

    private static sun.misc.Unsafe unsafe() {
        try {
            Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (sun.misc.Unsafe) f.get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Frees {@code b}'s memory (a direct buffer nobody uses any more: touching it later crashes). */
    static void free(ByteBuffer b) {
        if (UNSAFE != null && b.isDirect()) {
            try {
                UNSAFE.invokeCleaner(b);
            } catch (IllegalArgumentException e) {
                // a slice or duplicate: its memory belongs to another buffer
            }
        }
    }
}
