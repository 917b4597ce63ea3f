package io.pingora4j.spi;

import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * What a request phase decided. The two immediate answers are constants, so the synchronous
 * path allocates nothing; {@link #defer} suspends the session until a result arrives.
 */
public final class Action {

    /** Go on to the next filter / phase. */
    public static final Action CONTINUE = new Action(null);

    /**
     * A response was already sent with {@link Session#respond}: skip to the response phases of
     * the answer just sent, then {@code logging}. Nothing is sent upstream.
     */
    public static final Action RESPONDED = new Action(null);

    private final CompletionStage<Action> later;

    private Action(CompletionStage<Action> later) {
        this.later = later;
    }

    /**
     * Suspends the session until {@code result} completes, on any thread. The session then resumes
     * on its own event loop with the completed action (CONTINUE or RESPONDED; another deferral is
     * allowed). A stage that fails with a {@link ProxyError} is handled like a thrown one; any other
     * exception is an internal error (500).
     */
    public static Action defer(CompletionStage<Action> result) {
        return new Action(Objects.requireNonNull(result, "result"));
    }

    /** True for an action made by {@link #defer}. */
    public boolean deferred() {
        return later != null;
    }

    /** The pending result of a deferred action; null for CONTINUE and RESPONDED. */
    public CompletionStage<Action> result() {
        return later;
    }

    @Override
    public String toString() {
        return this == CONTINUE ? "CONTINUE" : this == RESPONDED ? "RESPONDED" : "DEFERRED";
    }
}
