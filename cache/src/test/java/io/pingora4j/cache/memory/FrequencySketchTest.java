package io.pingora4j.cache.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FrequencySketchTest {

    @Test
    void estimateFollowsIncrements() {
        FrequencySketch sketch = new FrequencySketch(1024);
        for (int i = 0; i < 5; i++) {
            sketch.increment(42);
        }
        assertEquals(5, sketch.estimate(42));
    }

    @Test
    void countersSaturateAtFifteen() {
        FrequencySketch sketch = new FrequencySketch(1024);
        for (int i = 0; i < 100; i++) {
            sketch.increment(7);
        }
        assertEquals(15, sketch.estimate(7));
    }

    @Test
    void unseenKeyEstimatesZeroInALightlyLoadedSketch() {
        FrequencySketch sketch = new FrequencySketch(1024);
        for (int key = 0; key < 100; key++) {
            sketch.increment(key);
        }
        int overcounted = 0;
        for (int key = 10_000; key < 11_000; key++) {
            if (sketch.estimate(key) > 0) {
                overcounted++;
            }
        }
        assertTrue(overcounted < 10, overcounted + " of 1000 unseen keys overcounted");
    }

    @Test
    void countsAreHalvedAfterSampleSizeIncrements() {
        FrequencySketch sketch = new FrequencySketch(16);
        for (int i = 0; i < 12; i++) {
            sketch.increment(-1);
        }
        int other = 0;
        int added = 12;
        // feed distinct keys until the aging step runs (each increment of a fresh key counts once)
        while (added < sketch.sampleSize()) {
            if (sketch.increment(other++) < 15) {
                added++;
            }
        }
        assertTrue(sketch.estimate(-1) <= 7, "estimate after aging: " + sketch.estimate(-1));
    }
}
