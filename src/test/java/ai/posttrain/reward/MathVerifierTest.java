package ai.posttrain.reward;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class MathVerifierTest {
    final MathVerifier v = new MathVerifier();

    void accepts(String completion, String reference) {
        VerifierResult r = v.verify(completion, reference);
        assertTrue(r.passed(), () -> completion + " vs " + reference + ": " + r.reason());
        assertEquals(1.0, r.score());
    }

    void rejects(String completion, String reference) {
        VerifierResult r = v.verify(completion, reference);
        assertFalse(r.passed(), () -> completion + " vs " + reference + " should fail: " + r.reason());
        assertEquals(0.0, r.score());
    }

    @Test
    void findsTheFinalAnswerAfterTheThinking() {
        accepts("<think>12 + 30: 2+0=2, 1+3=4, so 42. Not 41.</think>The answer is 42.", "42");
        rejects("<think>the answer is 42</think>The answer is 41.", "42");
        accepts("<think>try 7, then 9</think>9", "9");
    }

    @Test
    void boxedBeatsPhrasesAndLastNumbers() {
        accepts("So x = \\boxed{17}, checked with 3 steps.", "17");
        accepts("\\boxed{\\frac{3}{4}} (about 0.75 of 100)", "3/4");
        accepts("Answer: -5 apples, since 10 - 15 = -5", "-5");
        accepts("the answer is 1,234,567 in total", "1234567");
    }

    @Test
    void comparesFractionsDecimalsAndNegativesExactly() {
        accepts("answer is 0.75", "3/4");
        accepts("answer is 6/8", "0.75");
        accepts("answer is \u22123", "-3");
        accepts("answer is -2.50", "-5/2");
        accepts("the result is 3.0 × 10^8 m", "300000000");
        accepts("1e3", "1000");
        rejects("answer is 0.7499", "3/4");
        rejects("answer is 3/4", "4/3");
        rejects("answer is 1,234", "1.234");
    }

    @Test
    void aReferenceThatIsNotANumberIsComparedAsText() {
        // the built-in reasoning suite's parity and sorting answers
        accepts("<think>last digit 6; 6 is even</think>even", "even");
        accepts("<think>last digit 7</think>Odd.", "odd");
        accepts("<think>smallest 12; then 35</think>12, 35, 60", "12, 35, 60");
        accepts("The answer is \\boxed{x = 2y}", "x=2y");
        accepts("so the answer is even", "even");
        rejects("<think>6 is even</think>odd", "even");
        rejects("<think>hmm</think>even or odd", "odd");
        rejects("<think>sorted</think>12, 60, 35", "12, 35, 60");
        rejects("<think>the answer is even</think>", "even");   // nothing after the thinking
    }

    @Test
    void noAnswerIsAReasonNotAnException() {
        VerifierResult r = v.verify("<think>hmm</think>I do not know.", "4");
        assertEquals("no numeric answer found", r.reason());
        assertFalse(v.verify(null, "4").passed());
        assertFalse(v.verify("42", null).passed());
        rejects("answer is 1e999999999", "1");          // absurd exponents are not expanded
        rejects("answer is 5/0", "5");
    }
}
