package ai.posttrain.train;

import ai.posttrain.train.PairSelector.Candidate;
import ai.posttrain.train.PairSelector.Selection;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class PairSelectorTest {
    private static Candidate c(int token, double teacher, Double verifier) {
        return new Candidate(new int[]{token}, teacher, verifier);
    }

    @Test
    void bestAndWorstByTeacherScoreWhenTheyDifferByTheMargin() {
        PairSelector s = new PairSelector(2.0, 0.5);
        Selection pick = s.select(List.of(c(1, -1.2, null), c(2, -0.4, null), c(3, -2.0, null), c(4, -1.0, null))).orElseThrow();
        assertEquals(1, pick.chosen());
        assertEquals(2, pick.rejected());
        assertEquals(-0.4, pick.chosenScore(), 1e-12);
        assertEquals(-2.0, pick.rejectedScore(), 1e-12);
    }

    @Test
    void noPairBelowTheMargin() {
        PairSelector s = new PairSelector(2.0, 0.5);
        assertEquals(Optional.empty(), s.select(List.of(c(1, -1.0, null), c(2, -1.3, null), c(3, -0.9, null))));
        // Exactly the margin is enough.
        assertTrue(new PairSelector(2.0, 0.25).select(List.of(c(1, -1.0, null), c(2, -1.25, null))).isPresent());
    }

    @Test
    void tiesGoToTheEarliestChosenAndTheLatestRejected() {
        PairSelector s = new PairSelector(1.0, 0.1);
        Selection pick = s.select(List.of(c(1, -0.5, null), c(2, -2.0, null), c(3, -0.5, null), c(4, -2.0, null))).orElseThrow();
        assertEquals(0, pick.chosen());
        assertEquals(3, pick.rejected());
        // All equal: no preference, no pair, even with margin 0.
        assertTrue(new PairSelector(1.0, 0).select(List.of(c(1, -1, null), c(2, -1, null))).isEmpty());
    }

    @Test
    void theVerifierOverridesTheTeacherWhenItsWeightIsLarge() {
        // The teacher prefers candidate 0, but only candidate 2 is verified correct.
        List<Candidate> cs = List.of(c(1, -0.2, 0.0), c(2, -1.0, 0.0), c(3, -1.5, 1.0));
        Selection pick = new PairSelector(5.0, 0.1).select(cs).orElseThrow();
        assertEquals(2, pick.chosen());
        assertEquals(1, pick.rejected());
        assertEquals(-1.5 + 5.0, pick.chosenScore(), 1e-12);
        // Weight 0: the teacher alone decides.
        assertEquals(0, new PairSelector(0.0, 0.1).select(cs).orElseThrow().chosen());
        // Partial code credit counts in proportion.
        assertEquals(1.0 * 0.5 - 2.0, new PairSelector(1.0, 0.1).score(c(9, -2.0, 0.5)), 1e-12);
    }

    @Test
    void identicalCompletionsNeverFormAPair() {
        PairSelector s = new PairSelector(5.0, 0.1);
        // Same tokens, different verifier scores can't happen in practice, but the selector must not pair them.
        assertTrue(s.select(List.of(new Candidate(new int[]{7, 8}, -1, 1.0), new Candidate(new int[]{7, 8}, -1, 0.0))).isEmpty());
        assertTrue(s.select(List.of(c(1, -1, null))).isEmpty());
    }

    @Test
    void chosenMustPassDropsPairsWhoseBetterAnswerIsStillWrong() {
        // Verified prompt, every answer wrong or half right: the teacher's favourite would be chosen, but teaches a wrong answer.
        List<Candidate> wrong = List.of(c(1, -0.2, 0.0), c(2, -2.0, 0.0), c(3, -1.0, 0.5));
        assertTrue(new PairSelector(2.0, 0.1).select(wrong).isPresent());
        assertTrue(new PairSelector(2.0, 0.1, true).select(wrong).isEmpty());
        // One passing answer: it is chosen, against the worst.
        Selection pick = new PairSelector(2.0, 0.1, true).select(List.of(c(1, -0.2, 0.0), c(2, -1.5, 1.0), c(3, -2.0, 0.0))).orElseThrow();
        assertEquals(1, pick.chosen());
        assertEquals(2, pick.rejected());
        // Prompts without a verifier are ranked by the teacher alone, as before.
        assertTrue(new PairSelector(2.0, 0.1, true).select(List.of(c(1, -0.2, null), c(2, -2.0, null))).isPresent());
    }
}
