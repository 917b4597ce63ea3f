package io.pingora4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimersTest {

    /** An owner whose wanted deadline the test sets; records when it was told the deadline passed. */
    static final class Owner implements Deadline.Owner {
        final String name;
        final List<String> log;
        long wanted;

        Owner(String name, List<String> log) {
            this.name = name;
            this.log = log;
        }

        @Override
        public long currentDeadline() {
            return wanted;
        }

        @Override
        public void onDeadline(long nowNanos) {
            log.add(name);
            wanted = 0;
        }
    }

    private final Timers timers = new Timers();
    private final List<String> fired = new ArrayList<>();

    private Deadline arm(String name, long at) {
        Owner o = new Owner(name, fired);
        o.wanted = at;
        Deadline d = new Deadline(timers, o);
        d.want(at);
        return d;
    }

    @Test
    void deadlinesFireInTheOrderTheyAreDueAndOnlyWhenDue() {
        arm("c", 300);
        arm("a", 100);
        arm("b", 200);
        assertEquals(0, timers.poll(99));
        assertEquals(1, timers.poll(150));
        assertEquals(2, timers.poll(1000));
        assertEquals(List.of("a", "b", "c"), fired);
        assertEquals(0, timers.size());
    }

    @Test
    void aCancelledDeadlineNeverFires() {
        Deadline a = arm("a", 100);
        arm("b", 200);
        a.cancel();
        a.cancel(); // twice is harmless
        timers.poll(1000);
        assertEquals(List.of("b"), fired);
    }

    @Test
    void aDeadlinePushedBackFiresOnceWhenTheOwnerStillWantsItLater() {
        Owner o = new Owner("a", fired);
        Deadline d = new Deadline(timers, o);
        o.wanted = 100;
        d.want(100);
        o.wanted = 500; // a read pushed the deadline back: only a field changes
        d.want(500);
        assertEquals(1, timers.size());
        timers.poll(100); // the armed timer fires, sees 500, re-arms
        assertEquals(List.of(), fired);
        assertEquals(1, timers.size());
        timers.poll(500);
        assertEquals(List.of("a"), fired);
    }

    @Test
    void aDeadlineMovedEarlierFiresAtTheEarlierTime() {
        arm("b", 200);
        Owner o = new Owner("a", fired);
        Deadline d = new Deadline(timers, o);
        o.wanted = 900;
        d.want(900);
        o.wanted = 50;
        d.want(50);
        timers.poll(60);
        assertEquals(List.of("a"), fired);
    }

    @Test
    void theLoopSleepsUntilTheNextDeadlineAndNoLonger() {
        assertEquals(1_000, timers.nanosToNextTick(0, 1_000));
        arm("a", 400);
        assertEquals(400, timers.nanosToNextTick(0, 1_000));
        assertEquals(0, timers.nanosToNextTick(500, 1_000));
    }

    @Test
    void orderingSurvivesTheNanoTimeWrap() {
        long near = Long.MAX_VALUE - 10;
        arm("before", near);
        arm("after", near + 20); // wraps to a negative long, still later
        timers.poll(near + 5);
        assertEquals(List.of("before"), fired);
        timers.poll(near + 25);
        assertEquals(List.of("before", "after"), fired);
    }

    @Test
    void anOwnerThatArmsAgainForAPastTimeWaitsForTheNextPoll() {
        Deadline[] self = new Deadline[1];
        Deadline.Owner again = new Deadline.Owner() {
            @Override
            public long currentDeadline() {
                return 10;
            }

            @Override
            public void onDeadline(long nowNanos) {
                fired.add("again");
                self[0].want(10);
            }
        };
        self[0] = new Deadline(timers, again);
        self[0].want(10);
        assertEquals(1, timers.poll(100));
        assertEquals(1, timers.poll(100));
        assertEquals(List.of("again", "again"), fired);
    }

    @Test
    void manyRandomDeadlinesFireSortedAndTheHeapShrinksAfterTheBurst() {
        Random r = new Random(7);
        List<Deadline> all = new ArrayList<>();
        long[] ats = new long[10_000];
        for (int i = 0; i < ats.length; i++) {
            ats[i] = 1 + r.nextInt(1_000_000);
            all.add(arm(Long.toString(ats[i]), ats[i]));
        }
        for (int i = 0; i < all.size(); i += 3) {
            all.get(i).cancel();
            ats[i] = -1;
        }
        assertTrue(timers.capacity() >= 10_000 * 2 / 3);
        timers.poll(2_000_000);
        List<Long> got = fired.stream().map(Long::parseLong).toList();
        assertEquals(got.stream().sorted().toList(), got);
        assertEquals(java.util.Arrays.stream(ats).filter(a -> a > 0).count(), got.size());
        assertEquals(0, timers.size());
        assertEquals(64, timers.capacity());
    }
}
