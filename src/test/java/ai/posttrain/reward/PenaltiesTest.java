package ai.posttrain.reward;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PenaltiesTest {
    private static int[] bytes(String s) {
        return s.chars().toArray();
    }

    @Test
    void aCorrectArithmeticTraceIsNotARepetitionAtTwelveTokensButALoopIs() {
        int[] trace = bytes("<think>5-0-0=5 d5 b0\n7-2-0=5 d5 b0</think>55");
        assertEquals(0.0, Penalties.repetition(trace, 12, 0.5));
        assertTrue(Penalties.repetition(trace, 4, 0.5) < -0.1, "4 bytes are too short an n-gram: the trace repeats some");

        int[] loop = bytes("<think>" + "the answer is 5. ".repeat(8));
        double p = Penalties.repetition(loop, 12, 0.5);
        assertTrue(p < -0.35 && p >= -0.5, "a loop repeats most of its 12-grams: " + p);
        assertEquals(0.0, Penalties.repetition(loop, 12, 0.0));
    }

    @Test
    void overlongIsZeroBeforeTheBufferLinearInsideItAndFullWhenCut() {
        assertEquals(0.0, Penalties.overlong(40, false, 64, 16, 0.5));
        assertEquals(-0.25, Penalties.overlong(56, false, 64, 16, 0.5), 1e-12);
        assertEquals(-0.5, Penalties.overlong(20, true, 64, 16, 0.5));
    }
}
