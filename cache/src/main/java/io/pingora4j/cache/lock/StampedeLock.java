package io.pingora4j.cache.lock;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Per-key "one fetch at a time" (Pingora's cache lock): on a cache miss, the first caller for a
 * key becomes its {@link Writer} and fetches from the origin; later callers get a {@link Waiter}
 * whose future completes when the writer is done, so the origin sees one request instead of a
 * stampede.
 *
 * <h2>Protocol</h2>
 * <ul>
 *   <li>{@link #acquire} returns a {@code Writer} if nobody holds the key, else a {@code Waiter}.
 *   <li>{@link Writer#release()}: the fetch succeeded (the cache now has the entry); every waiter
 *       completes with {@link Outcome.Kind#DONE} and should look up the cache again.
 *   <li>{@link Writer#abandon()}: the fetch failed; the oldest waiter completes with
 *       {@link Outcome.Kind#PROMOTED} carrying a new {@code Writer}, the others keep waiting on it.
 *   <li>A waiter past its deadline completes with {@link Outcome.Kind#TIMED_OUT} at the next
 *       {@link #expire} sweep, and one that calls {@link Waiter#cancel()} with
 *       {@link Outcome.Kind#CANCELLED}; either way it then fetches on its own.
 *   <li>A writer that holds the key longer than {@code writerTimeout} is presumed dead: the next
 *       {@code acquire} or {@code expire} takes the key from it (promoting a waiter, as for an
 *       abandon) and its later release or abandon does nothing.
 * </ul>
 *
 * <h2>Thread-safety</h2>
 * Safe for any number of threads, and nothing blocks: state lives in a {@link ConcurrentHashMap}
 * and each transition is one {@code compute} on the key's bin. Futures are completed
 * <em>after</em> the {@code compute} returns, so callbacks may call back into the lock (even for
 * the same key) and run on the thread that released, abandoned or swept. Time comes from the
 * injected nanosecond clock; this class starts no thread and schedules nothing: the owner calls
 * {@link #expire} from its timer.
 *
 * @param <K> key type
 */
public final class StampedeLock<K> {

    private final ConcurrentHashMap<K, Slot> slots = new ConcurrentHashMap<>();
    private final LongSupplier nanoClock;
    private final long writerTimeoutNanos;

    /**
     * @param nanoClock monotonic time in nanoseconds ({@code System::nanoTime} in production)
     * @param writerTimeout how long a writer may hold a key before it is presumed dead
     */
    public StampedeLock(LongSupplier nanoClock, Duration writerTimeout) {
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        if (writerTimeout.isNegative() || writerTimeout.isZero()) {
            throw new IllegalArgumentException("writerTimeout must be positive: " + writerTimeout);
        }
        this.writerTimeoutNanos = writerTimeout.toNanos();
    }

    /**
     * Becomes the writer for {@code key}, or queues behind the current one.
     *
     * @param waitDeadlineNanos on the injected clock: when a waiter stops waiting (applied by
     *     {@link #expire}); ignored if the caller becomes the writer
     */
    public Permit acquire(K key, long waitDeadlineNanos) {
        Objects.requireNonNull(key, "key");
        long now = nanoClock.getAsLong();
        Permit[] result = new Permit[1];
        slots.compute(key, (k, slot) -> {
            if (slot == null) {
                slot = new Slot();
            }
            if (slot.writer == null || now - slot.writer.startedNanos >= writerTimeoutNanos) {
                slot.writer = new Writer(k, now);
                result[0] = slot.writer;
            } else {
                Waiter waiter = new Waiter(k, waitDeadlineNanos);
                slot.waiters.add(waiter);
                result[0] = waiter;
            }
            return slot;
        });
        return result[0];
    }

    /**
     * Times out waiters whose deadline has passed and takes keys from writers older than the
     * writer timeout. Meant to be called from the owner's timer; cost is linear in locked keys.
     *
     * @return how many waiters were timed out
     */
    public int expire() {
        long now = nanoClock.getAsLong();
        List<Waiter> timedOut = new ArrayList<>();
        List<Waiter> promoted = new ArrayList<>();
        for (K key : slots.keySet()) {
            slots.computeIfPresent(key, (k, slot) -> {
                for (Iterator<Waiter> it = slot.waiters.iterator(); it.hasNext(); ) {
                    Waiter waiter = it.next();
                    if (now - waiter.deadlineNanos >= 0) {
                        it.remove();
                        timedOut.add(waiter);
                    }
                }
                if (now - slot.writer.startedNanos >= writerTimeoutNanos) {
                    return promote(k, slot, now, promoted);
                }
                return slot;
            });
        }
        for (Waiter waiter : timedOut) {
            waiter.future.complete(Outcome.TIMED_OUT);
        }
        completePromotions(promoted);
        return timedOut.size();
    }

    /** Number of keys currently held by a writer. */
    public int lockedKeys() {
        return slots.size();
    }

    /** Hands the key to the oldest waiter, or frees it; runs inside {@code compute}. */
    private Slot promote(K key, Slot slot, long now, List<Waiter> promoted) {
        Waiter next = slot.waiters.poll();
        if (next == null) {
            slot.writer = null;
            return null;
        }
        slot.writer = new Writer(key, now);
        next.promotedTo = slot.writer;
        promoted.add(next);
        return slot;
    }

    /**
     * Outside {@code compute}. A waiter whose future was completed behind our back (say
     * {@code future().cancel(true)}) cannot take the writer role, so that writer abandons at once
     * and the key passes to the next waiter.
     */
    private void completePromotions(List<Waiter> promoted) {
        for (Waiter waiter : promoted) {
            Writer writer = waiter.promotedTo;
            if (!waiter.future.complete(Outcome.promoted(writer))) {
                writer.abandon();
            }
        }
    }

    /** What {@link StampedeLock#acquire} returns: a {@link StampedeLock.Writer} or a {@link StampedeLock.Waiter}. */
    public sealed interface Permit permits StampedeLock.Writer, StampedeLock.Waiter {

        /** Whether this caller should fetch now. */
        boolean isWriter();
    }

    /**
     * The one caller currently fetching a key. Call exactly one of {@link #release()} or
     * {@link #abandon()} when the fetch ends; both are safe from any thread.
     */
    public final class Writer implements Permit {
        private final K key;
        private final long startedNanos;

        private Writer(K key, long startedNanos) {
            this.key = key;
            this.startedNanos = startedNanos;
        }

        /** The key held. */
        public K key() {
            return key;
        }

        @Override
        public boolean isWriter() {
            return true;
        }

        /**
         * The fetch succeeded: frees the key and completes every waiter with {@code DONE}.
         *
         * @return false if this writer no longer held the key (timed out, or already ended)
         */
        public boolean release() {
            List<Waiter> done = new ArrayList<>();
            boolean[] held = new boolean[1];
            slots.computeIfPresent(key, (k, slot) -> {
                if (slot.writer != this) {
                    return slot;
                }
                held[0] = true;
                done.addAll(slot.waiters);
                return null;
            });
            for (Waiter waiter : done) {
                waiter.future.complete(Outcome.DONE);
            }
            return held[0];
        }

        /**
         * The fetch failed: the oldest waiter becomes the writer, or the key is freed.
         *
         * @return false if this writer no longer held the key (timed out, or already ended)
         */
        public boolean abandon() {
            List<Waiter> promoted = new ArrayList<>(1);
            boolean[] held = new boolean[1];
            slots.computeIfPresent(key, (k, slot) -> {
                if (slot.writer != this) {
                    return slot;
                }
                held[0] = true;
                return promote(k, slot, nanoClock.getAsLong(), promoted);
            });
            completePromotions(promoted);
            return held[0];
        }
    }

    /** A caller queued behind the writer of a key. */
    public final class Waiter implements Permit {
        private final K key;
        private final long deadlineNanos;
        private final CompletableFuture<Outcome> future = new CompletableFuture<>();
        /** Set inside compute before the future completes; read after it completes. */
        private Writer promotedTo;

        private Waiter(K key, long deadlineNanos) {
            this.key = key;
            this.deadlineNanos = deadlineNanos;
        }

        @Override
        public boolean isWriter() {
            return false;
        }

        /** Completes once with the outcome; register callbacks, do not block an event loop on it. */
        public CompletableFuture<Outcome> future() {
            return future;
        }

        /**
         * Stops waiting: leaves the queue and completes the future with {@code CANCELLED}.
         *
         * @return false if the future had already completed
         */
        public boolean cancel() {
            slots.computeIfPresent(key, (k, slot) -> {
                slot.waiters.remove(this);
                return slot;
            });
            return future.complete(Outcome.CANCELLED);
        }
    }

    /** How a wait ended. */
    public static final class Outcome {
        /** The kinds of outcome. */
        public enum Kind {
            /** The writer stored the entry: look it up again. */
            DONE,
            /** The writer gave up and this caller is now the writer: see {@link Outcome#writer()}. */
            PROMOTED,
            /** The deadline passed first: fetch without the lock. */
            TIMED_OUT,
            /** The waiter cancelled itself. */
            CANCELLED
        }

        static final Outcome DONE = new Outcome(Kind.DONE, null);
        static final Outcome TIMED_OUT = new Outcome(Kind.TIMED_OUT, null);
        static final Outcome CANCELLED = new Outcome(Kind.CANCELLED, null);

        private final Kind kind;
        private final StampedeLock<?>.Writer writer;

        private Outcome(Kind kind, StampedeLock<?>.Writer writer) {
            this.kind = kind;
            this.writer = writer;
        }

        static Outcome promoted(StampedeLock<?>.Writer writer) {
            return new Outcome(Kind.PROMOTED, writer);
        }

        /** How the wait ended. */
        public Kind kind() {
            return kind;
        }

        /** The caller's new writer role when {@link #kind()} is {@code PROMOTED}, else {@code null}. */
        @SuppressWarnings("unchecked")
        public <K> StampedeLock<K>.Writer writer() {
            return (StampedeLock<K>.Writer) writer;
        }
    }

    /** Guarded by the map bin of its key. */
    private final class Slot {
        Writer writer;
        final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    }
}
