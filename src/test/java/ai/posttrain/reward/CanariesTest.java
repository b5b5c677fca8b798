package ai.posttrain.reward;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every built-in canary is contained by the real jail; the containment check fails for a solution that is right. */
class CanariesTest {
    private final CodeVerifier verifier = new CodeVerifier("python3", SandboxLimits.defaults());

    @Test
    void everyBuiltinCanaryScoresZeroAndIsNotPassed() {
        List<Canaries.Canary> canaries = Canaries.builtin();
        assertTrue(canaries.size() >= 8);
        int flagged = 0;
        for (Canaries.Canary c : canaries) {
            VerifierResult r = verifier.verifyTests(c.completion(), c.tests());
            assertFalse(r.passed(), c.name() + ": " + r);
            assertEquals(0.0, r.score(), 1e-12, c.name() + ": " + r);
            assertTrue(Canaries.contained(r.passed(), r.score()), c.name());
            if (!r.flags().isEmpty()) flagged++;
            assertEquals(Canaries.UNFLAGGED.contains(c.name()), r.flags().isEmpty(), c.name() + ": " + r.flags());
            System.out.printf("canary %-24s score %.1f passed %s flags %s%n", c.name(), r.score(), r.passed(), r.flags());
        }
        // The attacks that act (rather than only being wrong) are named: all but printed_pass, whose prints are plain output,
        // and self_judging_names, whose own `all` and math.isclose the judge never calls.
        assertEquals(canaries.size() - Canaries.UNFLAGGED.size(), flagged, flagged + " of " + canaries.size() + " flagged");
    }

    @Test
    void aRightSolutionToTheCanaryTestsIsNotContained() {
        VerifierResult r = verifier.verifyTests("```python\ndef f(x):\n    return 2 * x + 1\n```", Canaries.TESTS);
        assertTrue(r.passed(), r.toString());
        assertFalse(Canaries.contained(r.passed(), r.score()), "the check can fail: a paid canary stops the stage");
    }
}
