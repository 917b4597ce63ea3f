package io.pingora4j.cache.disk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The files of a disk cache: what is written reads back, and what a crash leaves is cleaned up. */
class DiskStoreTest {

    @TempDir
    Path folder;

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    private long files(String suffix) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).count();
        }
    }

    @Test
    void anEntryReadsBackWithItsKeyMetadataAndBody() throws IOException {
        DiskStore store = new DiskStore(folder);
        DiskStore.Entry e = store.write("ns\u0000example.com/a?b=1", new byte[] {1, 2, 3}, bytes("the body"));

        assertEquals("the body", new String(store.readBody(e), StandardCharsets.UTF_8));
        assertEquals(Files.size(e.file()), e.fileLength());
        DiskStore.Entry recovered = new DiskStore(folder).recover().get(0);
        assertEquals("ns\u0000example.com/a?b=1", recovered.key());
        assertArrayEquals(new byte[] {1, 2, 3}, recovered.meta());
        assertEquals("the body", new String(new DiskStore(folder).readBody(recovered), StandardCharsets.UTF_8));
    }

    @Test
    void anEmptyBodyIsAnEntryToo() throws IOException {
        DiskStore store = new DiskStore(folder);
        DiskStore.Entry e = store.write("marker", new byte[] {9}, ByteBuffer.allocate(0));

        assertEquals(0, store.readBody(e).length);
        assertEquals(1, new DiskStore(folder).recover().size());
    }

    @Test
    void recoveryKeepsTheLatestVersionOfAKeyAndDeletesTheOthers() throws IOException {
        DiskStore store = new DiskStore(folder);
        store.write("k", new byte[0], bytes("v1"));
        store.write("k", new byte[0], bytes("v2"));
        store.write("other", new byte[0], bytes("o"));

        List<DiskStore.Entry> kept = new DiskStore(folder).recover();

        assertEquals(2, kept.size());
        DiskStore.Entry k = kept.stream().filter(e -> e.key().equals("k")).findFirst().orElseThrow();
        assertEquals("v2", new String(store.readBody(k), StandardCharsets.UTF_8));
        assertEquals(2, files(DiskStore.ENTRY));
    }

    @Test
    void recoveryGivesTheEntriesOldestFirst() throws IOException {
        DiskStore store = new DiskStore(folder);
        for (String k : new String[] {"c", "a", "b"}) {
            store.write(k, new byte[0], bytes(k));
        }

        assertEquals(List.of("c", "a", "b"), new DiskStore(folder).recover().stream().map(DiskStore.Entry::key).toList());
    }

    @Test
    void aNewStoreWritesAfterEverySequenceItRecovered() throws IOException {
        DiskStore first = new DiskStore(folder);
        long last = first.write("k", new byte[0], bytes("old")).sequence();
        DiskStore second = new DiskStore(folder);
        second.recover();

        assertTrue(second.write("k", new byte[0], bytes("new")).sequence() > last);
    }

    @Test
    void aTempFileLeftByACrashMidWriteIsDeletedAtRecovery() throws IOException {
        new DiskStore(folder).write("whole", new byte[0], bytes("ok"));
        Files.write(folder.resolve("00000000000000aa-0000000000000001" + DiskStore.TEMP), "P4JC\u0001half".getBytes());

        List<DiskStore.Entry> kept = new DiskStore(folder).recover();

        assertEquals(1, kept.size());
        assertEquals(0, files(DiskStore.TEMP));
    }

    @Test
    void anEntryCutShortIsDeletedAtRecovery() throws IOException {
        DiskStore store = new DiskStore(folder);
        DiskStore.Entry e = store.write("torn", new byte[0], bytes("x".repeat(10_000)));
        try (RandomAccessFile f = new RandomAccessFile(e.file().toFile(), "rw")) {
            f.setLength(5_000); // a power loss after the rename, before the data reached the disk
        }

        assertTrue(new DiskStore(folder).recover().isEmpty());
        assertFalse(Files.exists(e.file()));
    }

    @Test
    void aDamagedHeaderIsDeletedAtRecovery() throws IOException {
        DiskStore.Entry e = new DiskStore(folder).write("key", new byte[] {1, 2}, bytes("body"));
        flipByte(e.file(), 30); // inside the key

        assertTrue(new DiskStore(folder).recover().isEmpty());
        assertFalse(Files.exists(e.file()));
    }

    @Test
    void aDamagedBodyIsCaughtWhenRead() throws IOException {
        DiskStore store = new DiskStore(folder);
        DiskStore.Entry e = store.write("key", new byte[0], bytes("a body of some length"));
        flipByte(e.file(), e.bodyOffset() + 3);

        assertThrows(DiskStore.CorruptEntryException.class, () -> store.readBody(e));
    }

    @Test
    void aDeletedEntryIsNoLongerReadable() throws IOException {
        DiskStore store = new DiskStore(folder);
        DiskStore.Entry e = store.write("key", new byte[0], bytes("b"));
        store.delete(e);

        assertThrows(NoSuchFileException.class, () -> store.readBody(e));
        assertTrue(new DiskStore(folder).recover().isEmpty());
    }

    @Test
    void filesThatAreNotEntriesAreLeftAlone() throws IOException {
        Path readme = Files.writeString(folder.resolve("README"), "not ours");

        assertTrue(new DiskStore(folder).recover().isEmpty());
        assertTrue(Files.exists(readme));
    }

    private static void flipByte(Path file, long at) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x55);
        }
    }
}
