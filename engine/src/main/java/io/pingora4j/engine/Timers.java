package io.pingora4j.engine;

/**
 * A loop's timers: a binary min-heap of {@link Deadline}s ordered by when each is due, the heap
 * position kept in the deadline itself. Nothing is allocated to arm, move or cancel a timer, and
 * the heap costs one array slot per armed deadline: ten thousand idle connections cost 40 KB of
 * slots, where a timer wheel keeps a row per tick as wide as its busiest tick ever was (a burst of
 * connections in one second left 2 MB behind).
 *
 * <p>Connections keep one deadline each and re-arm it lazily (see {@link Deadline}), so the heap
 * is touched when a deadline moves earlier or fires, not on every read. Arming and cancelling are
 * O(log n); the next deadline is the root, so the loop sleeps exactly until it.
 *
 * <p>Not thread-safe: owned by one event loop.
 */
final class Timers {

    private static final int MIN_CAPACITY = 64;

    private Deadline[] heap = new Deadline[MIN_CAPACITY];
    private int size;

    /** Arms {@code d} at {@code at} (System.nanoTime() scale), moving it if it is armed already. */
    void schedule(Deadline d, long at) {
        int i = d.heapIndex;
        d.at = at;
        if (i >= 0) {
            if (!siftDown(i)) {
                siftUp(i);
            }
            return;
        }
        if (size == heap.length) {
            heap = java.util.Arrays.copyOf(heap, size * 2);
        }
        heap[size] = d;
        d.heapIndex = size;
        siftUp(size++);
    }

    /** Disarms {@code d}; nothing happens if it is not armed. */
    void cancel(Deadline d) {
        int i = d.heapIndex;
        if (i >= 0) {
            removeAt(i);
        }
    }

    /**
     * Fires every deadline due at {@code nowNanos}; returns how many fired. A deadline armed again
     * while firing for a time already past waits for the next poll, so a poll always ends.
     */
    int poll(long nowNanos) {
        int fired = 0;
        int budget = size;
        while (size > 0 && fired < budget && nowNanos - heap[0].at >= 0) {
            Deadline d = heap[0];
            removeAt(0);
            fired++;
            d.fire(nowNanos);
        }
        return fired;
    }

    /** Nanoseconds until the next deadline is due (0 if one is), capped at {@code max}. */
    long nanosToNextTick(long nowNanos, long max) {
        if (size == 0) {
            return max;
        }
        return Math.max(0, Math.min(max, heap[0].at - nowNanos));
    }

    int size() {
        return size;
    }

    /** Slots the heap holds (it shrinks back after a burst); for tests. */
    int capacity() {
        return heap.length;
    }

    private void removeAt(int i) {
        Deadline gone = heap[i];
        gone.heapIndex = -1;
        int last = --size;
        Deadline moved = heap[last];
        heap[last] = null;
        if (i != last) {
            heap[i] = moved;
            moved.heapIndex = i;
            if (!siftDown(i)) {
                siftUp(i);
            }
        }
        // give a burst's slots back once three quarters are empty
        if (heap.length > MIN_CAPACITY && size < heap.length / 4) {
            heap = java.util.Arrays.copyOf(heap, Math.max(MIN_CAPACITY, heap.length / 2));
        }
    }

    private void siftUp(int i) {
        Deadline d = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Deadline p = heap[parent];
            if (d.at - p.at >= 0) {
                break;
            }
            heap[i] = p;
            p.heapIndex = i;
            i = parent;
        }
        heap[i] = d;
        d.heapIndex = i;
    }

    /** Moves the entry at {@code i} down to its place; returns whether it moved. */
    private boolean siftDown(int i) {
        Deadline d = heap[i];
        int start = i;
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            Deadline c = heap[child];
            int right = child + 1;
            if (right < size && heap[right].at - c.at < 0) {
                child = right;
                c = heap[child];
            }
            if (c.at - d.at >= 0) {
                break;
            }
            heap[i] = c;
            c.heapIndex = i;
            i = child;
        }
        heap[i] = d;
        d.heapIndex = i;
        return i != start;
    }
}
