package ai.posttrain.model.head;

/**
 * Channel layout of the packed label array {@code [minibatch, channels, T]} read by {@link LmHeadOutputLayer}.
 * Position t of a row holds what the objective needs for the token predicted at t (the caller shifts:
 * target(t) = token(t+1)). Per-row values (objective, advantage, DPO reference sum) are repeated at every t.
 *
 * <pre>
 *  0 TARGET      target token id (all objectives but KD; KD rows may leave it 0)
 *  1 WEIGHT      per-token weight, multiplies the SFT and KD token losses (1 = plain)
 *  2 OBJECTIVE   {@link Objective#code} of the row
 *  3 OLD_LOGP    PG: log-prob of the target under the policy that sampled it
 *  4 REF_LOGP    PG: log-prob of the target under the reference policy (KL penalty)
 *  5 ADVANTAGE   PG: the sequence's advantage
 *  6 DPO_REF     DPO: the reference model's sum of target log-probs over the row's response tokens
 *  7 .. 7+k-1        KD: teacher top-k token ids
 *  7+k .. 7+2k-1     KD: teacher top-k probabilities (renormalised over the k by the layer)
 * </pre>
 * Ids are stored as floating point values, exact up to 2^24 in float32 (far above any vocabulary here).
 */
public final class LabelLayout {
    public static final int TARGET = 0;
    public static final int WEIGHT = 1;
    public static final int OBJECTIVE = 2;
    public static final int OLD_LOGP = 3;
    public static final int REF_LOGP = 4;
    public static final int ADVANTAGE = 5;
    public static final int DPO_REF = 6;
    /** Number of channels before the top-k block. */
    public static final int FIXED_CHANNELS = 7;

    private final int topK;

    private LabelLayout(int topK) {
        if (topK < 0) throw new IllegalArgumentException("topK must be >= 0, got " + topK);
        this.topK = topK;
    }

    /** Layout with room for a teacher top-k of size {@code topK} (0 when no row uses KD). */
    public static LabelLayout withTopK(int topK) {
        return new LabelLayout(topK);
    }

    /** The layout a label array with {@code channels} channels was packed with. */
    public static LabelLayout ofChannels(long channels) {
        long rest = channels - FIXED_CHANNELS;
        if (rest < 0 || rest % 2 != 0)
            throw new IllegalArgumentException("label array has " + channels + " channels; expected "
                    + FIXED_CHANNELS + " + 2*k (see LabelLayout)");
        return new LabelLayout((int) (rest / 2));
    }

    public int topK() {
        return topK;
    }

    public int channels() {
        return FIXED_CHANNELS + 2 * topK;
    }

    public int topKId(int j) {
        return FIXED_CHANNELS + checkJ(j);
    }

    public int topKProb(int j) {
        return FIXED_CHANNELS + topK + checkJ(j);
    }

    private int checkJ(int j) {
        if (j < 0 || j >= topK) throw new IndexOutOfBoundsException("top-k index " + j + " of " + topK);
        return j;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LabelLayout l && l.topK == topK;
    }

    @Override
    public int hashCode() {
        return topK;
    }

    @Override
    public String toString() {
        return "LabelLayout(topK=" + topK + ", channels=" + channels() + ")";
    }
}
