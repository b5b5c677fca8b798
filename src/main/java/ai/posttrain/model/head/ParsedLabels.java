package ai.posttrain.model.head;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The packed labels and mask of one minibatch read into Java arrays, validated, with the per-objective
 * normalisers. Position index r = example * T + t (the layer's 2-d row order).
 */
final class ParsedLabels {
    final int examples, timeSteps, topK, vocab;
    final Objective[] objective;        // per example
    final double[] advantage, dpoRef;   // per example
    final int[] target;                 // per position
    final double[] mask, weight, oldLogp, refLogp;
    final int[] topId;                  // per position * k
    final double[] topQ;                // renormalised teacher probabilities, per position * k
    /** Sum of mask over the tokens of SFT, KD, PG rows; number of DPO pairs. */
    final double sftTokens, kdTokens, pgTokens;
    final int dpoPairs;

    ParsedLabels(INDArray labels, INDArray labelMask, int vocab) {
        if (labels.rank() != 3)
            throw new IllegalArgumentException("labels must be [minibatch, channels, T], got rank " + labels.rank());
        LabelLayout layout = LabelLayout.ofChannels(labels.size(1));
        this.examples = (int) labels.size(0);
        this.timeSteps = (int) labels.size(2);
        this.topK = layout.topK();
        this.vocab = vocab;
        int n = examples * timeSteps, c = layout.channels(), tt = timeSteps;
        double[] l = flat(labels);
        double[] m = labelMask == null ? null : flat(labelMask);
        if (m != null && m.length != n)
            throw new IllegalArgumentException("label mask has " + m.length + " entries, expected minibatch*T = " + n);

        objective = new Objective[examples];
        advantage = new double[examples];
        dpoRef = new double[examples];
        target = new int[n];
        mask = new double[n];
        weight = new double[n];
        oldLogp = new double[n];
        refLogp = new double[n];
        topId = new int[n * topK];
        topQ = new double[n * topK];
        double sft = 0, kd = 0, pg = 0;
        int dpoRows = 0;
        for (int b = 0; b < examples; b++) {
            int base = b * c * tt;
            Objective o = Objective.ofCode(l[base + LabelLayout.OBJECTIVE * tt]);
            objective[b] = o;
            advantage[b] = l[base + LabelLayout.ADVANTAGE * tt];
            dpoRef[b] = l[base + LabelLayout.DPO_REF * tt];
            for (int t = 0; t < tt; t++) {
                int r = b * tt + t;
                double mk = o == Objective.NONE ? 0 : (m == null ? 1 : m[r]);
                mask[r] = mk;
                if (mk == 0) continue;
                weight[r] = l[base + LabelLayout.WEIGHT * tt + t];
                oldLogp[r] = l[base + LabelLayout.OLD_LOGP * tt + t];
                refLogp[r] = l[base + LabelLayout.REF_LOGP * tt + t];
                if (o == Objective.KD) {
                    readTopK(l, base, t, r, layout);
                } else {
                    int id = (int) Math.round(l[base + LabelLayout.TARGET * tt + t]);
                    if (id < 0 || id >= vocab)
                        throw new IllegalArgumentException("target id " + id + " at example " + b + ", t=" + t
                                + " is outside the vocabulary [0," + vocab + ")");
                    target[r] = id;
                }
                switch (o) {
                    case SFT -> sft += mk;
                    case KD -> kd += mk;
                    case PG -> pg += mk;
                    default -> { }
                }
            }
            if (o == Objective.DPO) {
                dpoRows++;
                boolean paired = b % 2 == 0 ? b + 1 < examples && objectiveAt(l, b + 1, c) == Objective.DPO
                        : objective[b - 1] == Objective.DPO;
                if (!paired)
                    throw new IllegalArgumentException("DPO row " + b + " has no partner: DPO rows must come in"
                            + " (chosen, rejected) pairs on rows (2i, 2i+1) of the same minibatch");
            }
        }
        sftTokens = sft;
        kdTokens = kd;
        pgTokens = pg;
        dpoPairs = dpoRows / 2;
    }

    private Objective objectiveAt(double[] l, int b, int c) {
        return Objective.ofCode(l[b * c * timeSteps + LabelLayout.OBJECTIVE * timeSteps]);
    }

    private void readTopK(double[] l, int base, int t, int r, LabelLayout layout) {
        double sum = 0;
        for (int j = 0; j < topK; j++) {
            double p = l[base + layout.topKProb(j) * timeSteps + t];
            if (p < 0) throw new IllegalArgumentException("negative teacher probability at position " + r);
            int id = (int) Math.round(l[base + layout.topKId(j) * timeSteps + t]);
            if (p > 0 && (id < 0 || id >= vocab))
                throw new IllegalArgumentException("teacher id " + id + " outside the vocabulary [0," + vocab + ")");
            topId[r * topK + j] = id;
            topQ[r * topK + j] = p;
            sum += p;
        }
        if (!(sum > 0))
            throw new IllegalArgumentException("KD token at position " + r + " has no teacher probabilities");
        for (int j = 0; j < topK; j++) topQ[r * topK + j] /= sum;
    }

    int positions() {
        return examples * timeSteps;
    }

    boolean has(Objective o) {
        for (Objective x : objective) if (x == o) return true;
        return false;
    }

    static double[] flat(INDArray a) {
        INDArray d = a.dataType() == DataType.DOUBLE ? a.dup('c') : a.castTo(DataType.DOUBLE).dup('c');
        return d.reshape('c', new long[]{d.length()}).toDoubleVector();
    }
}
