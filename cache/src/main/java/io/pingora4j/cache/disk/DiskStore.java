package io.pingora4j.cache.disk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * A folder of cache entries, one file each: a key, the caller's metadata (opaque bytes) and a body.
 * It keeps no index and makes no eviction decision: the caller holds the entries it knows in a
 * bounded cache ({@code TinyUfoCache}) and deletes the files that cache evicts.
 *
 * <h2>Atomic writes</h2>
 * An entry is written whole to {@code NAME.tmp}, then renamed to {@code NAME.entry} with an
 * atomic move: a reader or a restart sees the complete old file, the complete new one, or none,
 * never a half-written entry. A crash mid-write leaves only a {@code .tmp} file, which
 * {@link #recover()} deletes. Files are not forced to the device (a cache loses nothing it cannot
 * fetch again); a file torn by a power loss after its rename is caught by the checksums: the
 * header's at {@link #recover()}, the body's at every {@link #readBody}.
 *
 * <h2>File format</h2>
 * <pre>
 * "P4JC" version(1) keyLength(4) metaLength(4) bodyLength(8) sequence(8)
 * key(UTF-8) meta  headerCrc32c(4)
 * body  bodyCrc32c(4)
 * </pre>
 * Integers are big-endian. File names are {@code HASH-SEQUENCE.entry}: the same key written again
 * gets a new file (a higher sequence), so deleting an old version never touches a new one;
 * {@link #recover()} keeps the highest sequence of a key and deletes the others.
 *
 * <p>Thread-safe; every method does I/O and blocks: call it off the event loops.
 */
public final class DiskStore {

    private static final byte[] MAGIC = {'P', '4', 'J', 'C'};
    private static final byte VERSION = 1;
    /** magic, version, key length, meta length, body length, sequence. */
    private static final int FIXED = 4 + 1 + 4 + 4 + 8 + 8;
    private static final int MAX_KEY = 64 * 1024;
    private static final int MAX_META = 1 << 20;
    static final String ENTRY = ".entry";
    static final String TEMP = ".tmp";

    /**
     * One entry on disk: its key and metadata (read back in full), and where its body lies.
     *
     * @param sequence   orders the versions of one key: the higher was written later
     * @param fileLength the bytes the entry takes on disk, for a byte-bounded index
     */
    public record Entry(String key, byte[] meta, Path file, long bodyOffset, long bodyLength, long sequence,
                        long fileLength) {
    }

    /** A file whose checksum or framing is wrong: torn by a crash, or changed by someone else. */
    public static final class CorruptEntryException extends IOException {
        private static final long serialVersionUID = 1L;

        CorruptEntryException(Path file, String reason) {
            super(file + ": " + reason);
        }
    }

    private final Path folder;
    private final AtomicLong sequence;

    /**
     * Opens (creating it if needed) a cache folder.
     *
     * @throws UncheckedIOException if the folder cannot be created or is not writable
     */
    public DiskStore(Path folder) {
        this.folder = folder.toAbsolutePath().normalize();
        try {
            Files.createDirectories(this.folder);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the cache folder " + this.folder + ": " + e.getMessage(), e);
        }
        if (!Files.isWritable(this.folder)) {
            throw new UncheckedIOException(new IOException("the cache folder " + this.folder + " is not writable"));
        }
        // above every sequence of an earlier run on a sane clock; recover() raises it past what it finds
        this.sequence = new AtomicLong(System.currentTimeMillis() << 20);
    }

    public Path folder() {
        return folder;
    }

    /**
     * Scans the folder after a start: deletes leftover {@code .tmp} files (a write a crash cut
     * short), entries whose header is torn or corrupt, and every version of a key but the latest.
     *
     * @return the entries kept, oldest first (so an index filled in this order ends with the most
     *     recent ones in its recency order)
     */
    public List<Entry> recover() throws IOException {
        Map<String, Entry> latest = new HashMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (name.endsWith(TEMP)) {
                    Files.deleteIfExists(f);
                    continue;
                }
                if (!name.endsWith(ENTRY)) {
                    continue; // not ours: left alone
                }
                Entry e;
                try {
                    e = readHeader(f);
                } catch (CorruptEntryException | NoSuchFileException bad) {
                    Files.deleteIfExists(f);
                    continue;
                }
                sequence.accumulateAndGet(e.sequence() + 1, Math::max);
                Entry other = latest.get(e.key());
                if (other == null || other.sequence() < e.sequence()) {
                    latest.put(e.key(), e);
                    if (other != null) {
                        Files.deleteIfExists(other.file());
                    }
                } else {
                    Files.deleteIfExists(f);
                }
            }
        }
        List<Entry> out = new ArrayList<>(latest.values());
        out.sort(Comparator.comparingLong(Entry::sequence));
        return out;
    }

    /**
     * Writes an entry: to a temporary file, then renamed into place. An earlier version of the key
     * stays until the caller deletes it.
     */
    public Entry write(String key, byte[] meta, ByteBuffer body) throws IOException {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        if (k.length > MAX_KEY || meta.length > MAX_META) {
            throw new IOException("key or metadata too large for a cache entry: " + k.length + " / " + meta.length);
        }
        long seq = sequence.getAndIncrement();
        long bodyLength = body.remaining();
        ByteBuffer head = ByteBuffer.allocate(FIXED + k.length + meta.length + 4).order(ByteOrder.BIG_ENDIAN);
        head.put(MAGIC).put(VERSION).putInt(k.length).putInt(meta.length).putLong(bodyLength).putLong(seq)
                .put(k).put(meta);
        CRC32C crc = new CRC32C();
        crc.update(head.array(), 0, head.position());
        head.putInt((int) crc.getValue()).flip();
        CRC32C bodyCrc = new CRC32C();
        bodyCrc.update(body.duplicate());
        ByteBuffer tail = ByteBuffer.allocate(4).putInt((int) bodyCrc.getValue()).flip();
        String name = String.format("%016x-%016x", hash(k), seq);
        Path tmp = folder.resolve(name + TEMP);
        Path file = folder.resolve(name + ENTRY);
        long bodyOffset = head.remaining();
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer[] parts = {head, body.duplicate(), tail};
            long total = bodyOffset + bodyLength + 4;
            long written = 0;
            while (written < total) {
                written += ch.write(parts);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(tmp);
            throw new IOException("the cache folder " + folder + " does not support atomic renames", e);
        }
        return new Entry(key, meta, file, bodyOffset, bodyLength, seq, bodyOffset + bodyLength + 4);
    }

    /**
     * Reads an entry's body and checks it against its checksum.
     *
     * @throws CorruptEntryException if the body does not match (the caller should drop the entry)
     * @throws NoSuchFileException if the file was deleted meanwhile (evicted, replaced)
     */
    public byte[] readBody(Entry e) throws IOException {
        if (e.bodyLength() > Integer.MAX_VALUE - 16) {
            throw new IOException(e.file() + ": body too large to read whole");
        }
        byte[] body = new byte[(int) e.bodyLength()];
        ByteBuffer crc = ByteBuffer.allocate(4);
        try (FileChannel ch = FileChannel.open(e.file(), StandardOpenOption.READ)) {
            if (ch.size() != e.fileLength()) {
                throw new CorruptEntryException(e.file(), "length " + ch.size() + ", expected " + e.fileLength());
            }
            readFully(ch, ByteBuffer.wrap(body), e.bodyOffset(), e.file());
            readFully(ch, crc, e.bodyOffset() + e.bodyLength(), e.file());
        }
        CRC32C c = new CRC32C();
        c.update(body);
        if ((int) c.getValue() != crc.flip().getInt()) {
            throw new CorruptEntryException(e.file(), "body checksum mismatch");
        }
        return body;
    }

    /** Deletes an entry's file; nothing if it is gone already. */
    public void delete(Entry e) {
        try {
            Files.deleteIfExists(e.file());
        } catch (IOException ignored) {
            // a file we cannot delete now is found again by the next recover(), which retries
        }
    }

    private static Entry readHeader(Path f) throws IOException {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer fixed = ByteBuffer.allocate(FIXED);
            readFully(ch, fixed, 0, f);
            fixed.flip();
            byte[] magic = new byte[4];
            fixed.get(magic);
            if (!Arrays.equals(magic, MAGIC) || fixed.get() != VERSION) {
                throw new CorruptEntryException(f, "not a cache entry (magic or version)");
            }
            int keyLength = fixed.getInt();
            int metaLength = fixed.getInt();
            long bodyLength = fixed.getLong();
            long seq = fixed.getLong();
            if (keyLength < 0 || keyLength > MAX_KEY || metaLength < 0 || metaLength > MAX_META || bodyLength < 0) {
                throw new CorruptEntryException(f, "bad lengths");
            }
            long bodyOffset = FIXED + keyLength + metaLength + 4L;
            if (size != bodyOffset + bodyLength + 4) {
                throw new CorruptEntryException(f, "length " + size + ", expected " + (bodyOffset + bodyLength + 4));
            }
            ByteBuffer rest = ByteBuffer.allocate(keyLength + metaLength + 4);
            readFully(ch, rest, FIXED, f);
            CRC32C crc = new CRC32C();
            crc.update(fixed.array(), 0, FIXED);
            crc.update(rest.array(), 0, keyLength + metaLength);
            if ((int) crc.getValue() != rest.getInt(keyLength + metaLength)) {
                throw new CorruptEntryException(f, "header checksum mismatch");
            }
            String key = new String(rest.array(), 0, keyLength, StandardCharsets.UTF_8);
            byte[] meta = Arrays.copyOfRange(rest.array(), keyLength, keyLength + metaLength);
            return new Entry(key, meta, f, bodyOffset, bodyLength, seq, size);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long position, Path f) throws IOException {
        long pos = position;
        while (dst.hasRemaining()) {
            int n = ch.read(dst, pos);
            if (n < 0) {
                throw new CorruptEntryException(f, "ends early");
            }
            pos += n;
        }
    }

    /** FNV-1a of the key: spreads file names; collisions are harmless (the sequence differs). */
    private static long hash(byte[] k) {
        long h = 0xcbf29ce484222325L;
        for (byte b : k) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return h;
    }
}
