package io.pingora4j.lb;

/**
 * Picks a backend of a {@link BackendSet} for one request.
 *
 * <p>Implementations skip backends that are not {@linkplain BackendSet#isAvailable available} and
 * those marked in {@code tried}: a bitmask of indices already attempted for this request (bit i =
 * backend i), so a retry after a connect failure goes elsewhere without allocating, as nginx's
 * per-request {@code tried} bitmap does. Only the first 64 backends can be excluded this way.
 *
 * <p>Every implementation here is safe to call concurrently from several event loops and does
 * not allocate in {@code select}.
 */
public interface Selector {

    /** Returned when no backend can be picked (all down, open or tried). */
    int NONE = -1;

    /**
     * @param request the request's key view; may be null for selectors that do not hash
     * @param tried   bitmask of backend indices to skip
     * @return the chosen backend's index in {@link #backends()}, or {@link #NONE}
     */
    int select(RequestKeyView request, long tried);

    /** {@link #select(RequestKeyView, long)} with nothing tried yet. */
    default int select(RequestKeyView request) {
        return select(request, 0L);
    }

    /** The set this selector picks from. */
    BackendSet backends();

    /** Adds backend {@code index} to a tried mask (no-op past 64 backends). */
    static long markTried(long tried, int index) {
        return index >= 0 && index < 64 ? tried | (1L << index) : tried;
    }

    /** Whether backend {@code index} is in a tried mask. */
    static boolean isTried(long tried, int index) {
        return index < 64 && (tried & (1L << index)) != 0;
    }

    /** Whether backend {@code index} can be picked: available and not tried. */
    static boolean eligible(BackendSet set, long tried, int index) {
        return !isTried(tried, index) && set.isAvailable(index);
    }
}
