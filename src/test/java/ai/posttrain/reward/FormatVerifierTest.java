package ai.posttrain.reward;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class FormatVerifierTest {
    final FormatVerifier v = new FormatVerifier();

    @Test
    void acceptsThinkThenAnswer() {
        assertTrue(v.verify("<think>2+2=4</think>4", null).passed());
        assertTrue(v.verify("\n<think></think>\nFinal: yes", null).passed());
    }

    @Test
    void rejectsEachBrokenLayoutWithItsReason() {
        assertEquals("does not start with <think>", v.verify("4 <think>x</think>", null).reason());
        assertTrue(v.verify("<think>still thinking", null).reason().startsWith("unterminated"));
        assertTrue(v.verify("<think>a</think><think>b</think>c", null).reason().startsWith("expected exactly one"));
        assertEquals("empty answer after </think>", v.verify("<think>done</think>  \n", null).reason());
        assertFalse(v.verify(null, null).passed());
    }
}
