package ai.posttrain.format;

/** Compares next-token distributions as log-softmax (llama.cpp gives probabilities; logits are known up to a shift). */
public final class LogitComparison {
    private LogitComparison() {}

    public static double[] logSoftmax(double[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (double l : logits) max = Math.max(max, l);
        double sum = 0;
        for (double l : logits) sum += Math.exp(l - max);
        double lse = max + Math.log(sum);
        double[] out = new double[logits.length];
        for (int i = 0; i < logits.length; i++) out[i] = logits[i] - lse;
        return out;
    }

    /** Largest |a - b| over all positions and tokens. */
    public static double maxAbs(double[][] a, double[][] b) {
        if (a.length != b.length) throw new IllegalArgumentException(a.length + " positions vs " + b.length);
        double m = 0;
        for (int t = 0; t < a.length; t++) {
            if (a[t].length != b[t].length) throw new IllegalArgumentException("vocab " + a[t].length + " vs " + b[t].length);
            for (int v = 0; v < a[t].length; v++) m = Math.max(m, Math.abs(a[t][v] - b[t][v]));
        }
        return m;
    }

    public static int argmax(double[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
        return best;
    }

    /** The gap between the best and the second-best value. */
    public static double margin(double[] x) {
        int best = argmax(x);
        double second = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < x.length; i++) if (i != best) second = Math.max(second, x[i]);
        return x[best] - second;
    }

    /** Positions where the reference's top-1 leads by more than {@code tolerance} but {@code other}'s top-1 differs. */
    public static int top1Disagreements(double[][] reference, double[][] other, double tolerance) {
        int n = 0;
        for (int t = 0; t < reference.length; t++)
            if (margin(reference[t]) > tolerance && argmax(reference[t]) != argmax(other[t])) n++;
        return n;
    }
}
