package ai.posttrain.train;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Picks the (chosen, rejected) pair among one prompt's candidates. A candidate's score is the teacher's
 * length-normalised log-likelihood plus {@code verifierWeight} times its verifier score (in [0, 1]) where
 * the prompt has a verifier; so with a large enough weight a verified answer beats any unverified one.
 * Best and worst form a pair only when their scores differ by at least {@code margin} (and by more than
 * zero) and their tokens differ. Ties go to the earliest candidate for chosen and the latest for rejected.
 * With {@code chosenMustPass}, a verified prompt gives a pair only when its chosen candidate passes (score 1): a
 * pair whose better answer is still wrong would teach a wrong answer.
 */
public final class PairSelector {
    /** One candidate: its ids, the teacher's mean log-prob per token, the verifier's score or null (no reference). */
    public record Candidate(int[] tokens, double teacherScore, Double verifierScore) {}

    /** Indices into the candidate list and their combined scores. */
    public record Selection(int chosen, int rejected, double chosenScore, double rejectedScore) {}

    private final double verifierWeight;
    private final double margin;
    private final boolean chosenMustPass;

    public PairSelector(double verifierWeight, double margin) {
        this(verifierWeight, margin, false);
    }

    public PairSelector(double verifierWeight, double margin, boolean chosenMustPass) {
        if (verifierWeight < 0 || margin < 0) throw new IllegalArgumentException("weight and margin must be >= 0");
        this.verifierWeight = verifierWeight;
        this.margin = margin;
        this.chosenMustPass = chosenMustPass;
    }

    public double score(Candidate c) {
        return c.teacherScore() + (c.verifierScore() == null ? 0 : verifierWeight * c.verifierScore());
    }

    public Optional<Selection> select(List<Candidate> candidates) {
        if (candidates.size() < 2) return Optional.empty();
        int best = 0, worst = 0;
        double[] s = new double[candidates.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = score(candidates.get(i));
            if (Double.isNaN(s[i])) throw new IllegalArgumentException("candidate " + i + " has a NaN score");
            if (s[i] > s[best]) best = i;
            if (s[i] <= s[worst]) worst = i;
        }
        double gap = s[best] - s[worst];
        if (best == worst || !(gap > 0) || gap < margin) return Optional.empty();
        if (Arrays.equals(candidates.get(best).tokens(), candidates.get(worst).tokens())) return Optional.empty();
        Double verified = candidates.get(best).verifierScore();
        if (chosenMustPass && verified != null && verified < 1) return Optional.empty();
        return Optional.of(new Selection(best, worst, s[best], s[worst]));
    }
}
