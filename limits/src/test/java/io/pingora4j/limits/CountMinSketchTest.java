package io.pingora4j.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CountMinSketchTest {

    private final KeyHasher hasher = new KeyHasher(1);

    @Test
    void countMinSketchCountsALoneKeyExactly() {
        CountMinSketch sketch = new CountMinSketch(4, 128, 9);
        long key = hasher.hash("k");
        assertEquals(3, sketch.add(key, 3));
        assertEquals(5, sketch.add(key, 2));
        assertEquals(5, sketch.estimate(key));
        assertEquals(4, sketch.add(key, -1));
    }

    @Test
    void countMinSketchNeverUndercountsUnderHeavyCollision() {
        CountMinSketch sketch = new CountMinSketch(2, 8, 9);
        for (int k = 0; k < 1_000; k++) {
            sketch.add(hasher.hash(k), k % 5 + 1);
        }
        for (int k = 0; k < 1_000; k++) {
            assertTrue(sketch.estimate(hasher.hash(k)) >= k % 5 + 1);
        }
    }

    @Test
    void countMinSketchTakesTheLeastCrowdedRow() {
        // With many rows a key rarely shares every counter: most estimates are exact.
        CountMinSketch sketch = new CountMinSketch(8, 4096, 9);
        int exact = 0;
        for (int k = 0; k < 2_000; k++) {
            sketch.add(hasher.hash(k), 1);
        }
        for (int k = 0; k < 2_000; k++) {
            if (sketch.estimate(hasher.hash(k)) == 1) {
                exact++;
            }
        }
        assertTrue(exact > 1_990, exact + " exact of 2000");
    }

    @Test
    void countMinSketchClearForgetsEverything() {
        CountMinSketch sketch = new CountMinSketch(3, 64, 9);
        sketch.add(hasher.hash("k"), 7);
        sketch.clear();
        assertEquals(0, sketch.estimate(hasher.hash("k")));
    }

    @Test
    void countMinSketchSizeIsFixedByRowsAndSlots() {
        CountMinSketch sketch = new CountMinSketch(3, 100, 9);
        assertEquals(300, sketch.counterCount());
        assertEquals(3, sketch.rows());
        assertEquals(100, sketch.slots());
    }

    @Test
    void countMinSketchRejectsNonsenseDimensions() {
        assertThrows(IllegalArgumentException.class, () -> new CountMinSketch(0, 10, 1));
        assertThrows(IllegalArgumentException.class, () -> new CountMinSketch(17, 10, 1));
        assertThrows(IllegalArgumentException.class, () -> new CountMinSketch(2, 0, 1));
    }
}
