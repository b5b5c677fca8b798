package ai.posttrain.model.head;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

/**
 * A label array {@code [rows, channels, T]} (see {@link LabelLayout}) plus its label mask {@code [rows, T]},
 * built row by row from per-example Java data. Row i of the labels belongs to row i of the features, so
 * callers add rows in the same order as they stack their inputs.
 *
 * <p>Per-token arrays may be shorter than T; positions past their end are masked out. Mask values are
 * 1 for trained (response) tokens and 0 elsewhere; fractional values act as token weights in every
 * objective's sums and normalisers.
 */
public final class PackedLabels {
    private final INDArray labels;
    private final INDArray mask;
    private final List<Objective> objectives;

    private PackedLabels(INDArray labels, INDArray mask, List<Objective> objectives) {
        this.labels = labels;
        this.mask = mask;
        this.objectives = List.copyOf(objectives);
    }

    /** {@code [rows, channels, T]}. */
    public INDArray labels() {
        return labels;
    }

    /** {@code [rows, T]}: the label mask to pass alongside the labels. */
    public INDArray mask() {
        return mask;
    }

    public List<Objective> objectives() {
        return objectives;
    }

    public static Builder builder(LabelLayout layout, int timeSteps) {
        return new Builder(layout, timeSteps);
    }

    /** Appends rows; {@link #build} stacks them. */
    public static final class Builder {
        private final LabelLayout layout;
        private final int timeSteps;
        private final List<float[][]> rows = new ArrayList<>();
        private final List<float[]> masks = new ArrayList<>();
        private final List<Objective> objectives = new ArrayList<>();

        private Builder(LabelLayout layout, int timeSteps) {
            if (timeSteps <= 0) throw new IllegalArgumentException("timeSteps must be > 0");
            this.layout = layout;
            this.timeSteps = timeSteps;
        }

        public int rows() {
            return rows.size();
        }

        /** Cross-entropy on {@code targets} at the masked positions, token weights 1. */
        public Builder sft(int[] targets, float[] mask) {
            return sft(targets, mask, null);
        }

        /** Cross-entropy on {@code targets}; {@code weights} (nullable = 1) multiply each token's loss. */
        public Builder sft(int[] targets, float[] mask, float[] weights) {
            float[][] row = newRow(Objective.SFT, mask, targets.length);
            putTargets(row, targets);
            putWeights(row, weights, targets.length);
            return add(Objective.SFT, row, mask);
        }

        /**
         * Forward KL from the teacher's top-k distribution at each masked position:
         * {@code topIds[t]} / {@code topProbs[t]} (at most k entries; fewer are padded with probability 0).
         * The probabilities must already be at the layer's KD temperature; the layer renormalises them.
         */
        public Builder kd(int[][] topIds, float[][] topProbs, float[] mask) {
            return kd(topIds, topProbs, mask, null);
        }

        public Builder kd(int[][] topIds, float[][] topProbs, float[] mask, float[] weights) {
            if (topIds.length != topProbs.length) throw new IllegalArgumentException("topIds and topProbs lengths differ");
            float[][] row = newRow(Objective.KD, mask, topIds.length);
            for (int t = 0; t < topIds.length; t++) {
                if (topIds[t] == null) continue;
                if (topIds[t].length != topProbs[t].length)
                    throw new IllegalArgumentException("position " + t + ": ids and probabilities lengths differ");
                if (topIds[t].length > layout.topK())
                    throw new IllegalArgumentException("position " + t + " has " + topIds[t].length
                            + " teacher entries; the layout holds " + layout.topK());
                for (int j = 0; j < topIds[t].length; j++) {
                    row[layout.topKId(j)][t] = topIds[t][j];
                    row[layout.topKProb(j)][t] = topProbs[t][j];
                }
            }
            putWeights(row, weights, topIds.length);
            return add(Objective.KD, row, mask);
        }

        /**
         * A DPO pair: the chosen row then the rejected row, which must land on rows 2i and 2i+1.
         * {@code *RefLogp} is the reference model's sum of target log-probs over that row's masked tokens.
         */
        public Builder dpoPair(int[] chosenTargets, float[] chosenMask, double chosenRefLogp,
                               int[] rejectedTargets, float[] rejectedMask, double rejectedRefLogp) {
            if (rows.size() % 2 != 0)
                throw new IllegalStateException("a DPO pair must start at an even row (now at row " + rows.size()
                        + "); add a padding() row or rows of other objectives in pairs first");
            addDpoRow(chosenTargets, chosenMask, chosenRefLogp);
            return addDpoRow(rejectedTargets, rejectedMask, rejectedRefLogp);
        }

        private Builder addDpoRow(int[] targets, float[] mask, double refLogp) {
            float[][] row = newRow(Objective.DPO, mask, targets.length);
            putTargets(row, targets);
            fill(row[LabelLayout.DPO_REF], (float) refLogp);
            return add(Objective.DPO, row, mask);
        }

        /**
         * Clipped policy-gradient row: sampled {@code targets}, the sampling policy's per-token
         * {@code oldLogp}, the reference policy's per-token {@code refLogp} (null: no KL penalty on this
         * row, stored as NaN) and the sequence's {@code advantage}.
         */
        public Builder pg(int[] targets, float[] mask, float[] oldLogp, float[] refLogp, double advantage) {
            float[][] row = newRow(Objective.PG, mask, targets.length);
            putTargets(row, targets);
            checkLength("oldLogp", oldLogp.length, targets.length);
            System.arraycopy(oldLogp, 0, row[LabelLayout.OLD_LOGP], 0, oldLogp.length);
            if (refLogp == null) {
                fill(row[LabelLayout.REF_LOGP], Float.NaN);
            } else {
                checkLength("refLogp", refLogp.length, targets.length);
                System.arraycopy(refLogp, 0, row[LabelLayout.REF_LOGP], 0, refLogp.length);
            }
            fill(row[LabelLayout.ADVANTAGE], (float) advantage);
            return add(Objective.PG, row, mask);
        }

        /** A row that contributes nothing (e.g. to align a DPO pair). */
        public Builder padding() {
            return add(Objective.NONE, newRow(Objective.NONE, new float[0], 0), new float[0]);
        }

        public PackedLabels build(DataType dataType) {
            if (rows.isEmpty()) throw new IllegalStateException("no rows added");
            int n = rows.size(), c = layout.channels(), t = timeSteps;
            float[] flat = new float[n * c * t];
            float[] flatMask = new float[n * t];
            for (int i = 0; i < n; i++) {
                float[][] row = rows.get(i);
                for (int ch = 0; ch < c; ch++) System.arraycopy(row[ch], 0, flat, (i * c + ch) * t, t);
                float[] m = masks.get(i);
                System.arraycopy(m, 0, flatMask, i * t, m.length);
            }
            INDArray labels = Nd4j.create(flat, new long[]{n, c, t}, 'c').castTo(dataType);
            INDArray mask = Nd4j.create(flatMask, new long[]{n, t}, 'c').castTo(dataType);
            return new PackedLabels(labels, mask, objectives);
        }

        private float[][] newRow(Objective objective, float[] mask, int tokens) {
            checkLength("mask", mask.length, tokens);
            if (tokens > timeSteps)
                throw new IllegalArgumentException(tokens + " tokens do not fit in " + timeSteps + " time steps");
            float[][] row = new float[layout.channels()][timeSteps];
            fill(row[LabelLayout.WEIGHT], 1f);
            fill(row[LabelLayout.OBJECTIVE], objective.code);
            return row;
        }

        private Builder add(Objective objective, float[][] row, float[] mask) {
            rows.add(row);
            masks.add(mask.clone());
            objectives.add(objective);
            return this;
        }

        private static void putTargets(float[][] row, int[] targets) {
            for (int t = 0; t < targets.length; t++) row[LabelLayout.TARGET][t] = targets[t];
        }

        private static void putWeights(float[][] row, float[] weights, int tokens) {
            if (weights != null) checkLength("weights", weights.length, tokens);
            if (weights != null) System.arraycopy(weights, 0, row[LabelLayout.WEIGHT], 0, weights.length);
        }

        private static void fill(float[] a, float v) {
            java.util.Arrays.fill(a, v);
        }

        private static void checkLength(String what, int length, int expected) {
            if (length != expected)
                throw new IllegalArgumentException(what + " has length " + length + ", expected " + expected);
        }
    }
}
