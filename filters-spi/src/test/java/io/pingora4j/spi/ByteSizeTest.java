package io.pingora4j.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ByteSizeTest {

    @Test
    void byteSizesFollowPingap() {
        assertEquals(1_000_000, ByteSize.parse("1m"));
        assertEquals(512_000, ByteSize.parse("512k"));
        assertEquals(1 << 20, ByteSize.parse("1 MiB"));
        assertEquals(8_000_000, ByteSize.parse("8mb"));
        assertEquals(100, ByteSize.parse("100"));
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("lots"));
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("1q"));
    }
}
