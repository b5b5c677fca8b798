package ai.posttrain.model;

import java.util.Arrays;
import java.util.Random;

/** Picks the next id from one row of logits: greedy, or temperature + top-k + top-p sampling. */
final class TokenChooser {
    private final SamplingOptions options;
    private final Random random;

    TokenChooser(SamplingOptions options) {
        this.options = options;
        this.random = new Random(options.seed());
    }

    /** log-softmax of the raw logits (temperature 1, no truncation). */
    static double[] logSoftmax(double[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : logits) max = Math.max(max, v);
        double z = 0;
        for (double v : logits) z += Math.exp(v - max);
        double logZ = max + Math.log(z);
        double[] out = new double[logits.length];
        for (int i = 0; i < logits.length; i++) out[i] = logits[i] - logZ;
        return out;
    }

    int choose(double[] logits) {
        if (options.greedy()) {
            int best = 0;
            for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
            return best;
        }
        int v = logits.length;
        double[] scaled = new double[v];
        for (int i = 0; i < v; i++) scaled[i] = logits[i] / options.temperature();
        double[] p = logSoftmax(scaled);
        for (int i = 0; i < v; i++) p[i] = Math.exp(p[i]);
        int[] order = candidates(p);
        int keep = options.topK() > 0 ? Math.min(options.topK(), order.length) : order.length;
        if (options.topP() < 1) {
            double cumulative = 0;
            for (int r = 0; r < keep; r++) {
                cumulative += p[order[r]];
                if (cumulative >= options.topP()) {
                    keep = r + 1;
                    break;
                }
            }
        }
        double mass = 0;
        for (int r = 0; r < keep; r++) mass += p[order[r]];
        double u = random.nextDouble() * mass;
        for (int r = 0; r < keep; r++) {
            u -= p[order[r]];
            if (u <= 0) return order[r];
        }
        return order[keep - 1];
    }

    /**
     * The ids that truncation may keep, most probable first (ties by id); all ids in id order when nothing
     * truncates. Sorted as primitive (probability bits, id) keys: a real vocabulary has 50k-150k ids per step.
     */
    private int[] candidates(double[] p) {
        int v = p.length;
        if (options.topK() <= 0 && options.topP() >= 1) {
            int[] all = new int[v];
            for (int i = 0; i < v; i++) all[i] = i;
            return all;
        }
        long[] keys = new long[v];
        for (int i = 0; i < v; i++) {
            // non-negative floats order like their bits; invert so that an ascending sort is most-probable-first
            long bits = Float.floatToIntBits((float) p[i]);
            keys[i] = ((Integer.MAX_VALUE - bits) << 32) | i;
        }
        Arrays.sort(keys);
        int[] order = new int[v];
        for (int i = 0; i < v; i++) order[i] = (int) keys[i];
        return order;
    }
}
