package io.pingora4j.lb;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;

/** select() runs on the event loops for every request: it must not allocate. */
class AllocationTest {

    private static final int PICKS = 100_000;
    /** Far below one object per pick (16+ bytes each), above the measurement's own noise. */
    private static final long BUDGET_BYTES = 64 * 1024;

    private static long allocatedBy(IntSupplier pick) {
        var bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "needs HotSpot's ThreadMXBean");
        var hotspot = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(hotspot.isThreadAllocatedMemorySupported() && hotspot.isThreadAllocatedMemoryEnabled());
        long id = Thread.currentThread().getId();
        int sink = 0;
        for (int i = 0; i < 20_000; i++) {
            sink += pick.getAsInt();
        }
        long before = hotspot.getThreadAllocatedBytes(id);
        for (int i = 0; i < PICKS; i++) {
            sink += pick.getAsInt();
        }
        long after = hotspot.getThreadAllocatedBytes(id);
        assertTrue(sink != Integer.MIN_VALUE); // keep the picks alive
        return after - before;
    }

    private static void assertAllocationFree(String name, IntSupplier pick) {
        long bytes = allocatedBy(pick);
        assertTrue(bytes < BUDGET_BYTES, name + " allocated " + bytes + " bytes over " + PICKS + " picks");
    }

    @Test
    void selectorsDoNotAllocate() {
        BackendSet set = Fixtures.set(3, 1, 2, 1, 1);
        String user = "user-12345";
        RequestKeyView request = Fixtures.header("X-User", user);
        byte[] address = {10, 1, 2, 3};
        Selector rr = new RoundRobin(set);
        Selector swrr = new SmoothWeightedRoundRobin(set);
        Selector lc = new LeastConnections(set);
        IpHash ip = new IpHash(set);
        Selector ch = new ConsistentHash(set, HashKey.parse("header:X-User"));
        Selector random = new RandomSelection(set);
        Selector p2c = new PowerOfTwoChoices(set);
        assertAllocationFree("RoundRobin", () -> rr.select(null));
        assertAllocationFree("SmoothWeightedRoundRobin", () -> swrr.select(null));
        assertAllocationFree("LeastConnections", () -> lc.select(null));
        assertAllocationFree("IpHash", () -> ip.select(address, 0L));
        assertAllocationFree("ConsistentHash", () -> ch.select(request));
        assertAllocationFree("RandomSelection", () -> random.select(null));
        assertAllocationFree("PowerOfTwoChoices", () -> p2c.select(null));
    }

    @Test
    void ketamaWalkPastDownBackendDoesNotAllocate() {
        BackendSet set = Fixtures.set(1, 1, 1, 1);
        set.health(2).forceDown();
        Selector ch = new ConsistentHash(set, HashKey.parse("path"));
        RequestKeyView request = Fixtures.path("/a/b/c");
        assertAllocationFree("ConsistentHash with a down backend", () -> ch.select(request));
    }
}
