package ai.posttrain.model.head;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

/** Small random inputs, parameters and packed labels for each objective (test data, seeded). */
final class HeadCases {
    static final int N_IN = 3, T = 4, V = 7, K = 3;

    final Random rnd;
    final double[][][] h;
    final double[][] w;
    final double[] b;

    HeadCases(long seed, int mb) {
        rnd = new Random(seed);
        h = new double[mb][N_IN][T];
        for (double[][] x : h) for (double[] y : x) for (int t = 0; t < T; t++) y[t] = rnd.nextGaussian();
        w = new double[N_IN][V];
        for (double[] y : w) for (int j = 0; j < V; j++) y[j] = rnd.nextGaussian() * 0.8;
        b = new double[V];
        for (int j = 0; j < V; j++) b[j] = rnd.nextGaussian() * 0.3;
    }

    /** A response mask: a prompt part masked out, then 1s; the last position sometimes padding. */
    float[] mask() {
        float[] m = new float[T];
        int start = rnd.nextInt(2), end = T - rnd.nextInt(2);
        for (int t = start; t < end; t++) m[t] = 1;
        return m;
    }

    int[] targets() {
        int[] ids = new int[T];
        for (int t = 0; t < T; t++) ids[t] = rnd.nextInt(V);
        return ids;
    }

    float[] weights() {
        float[] x = new float[T];
        for (int t = 0; t < T; t++) x[t] = 0.5f + rnd.nextFloat();
        return x;
    }

    void addSft(PackedLabels.Builder p) {
        p.sft(targets(), mask(), weights());
    }

    void addKd(PackedLabels.Builder p) {
        int[][] ids = new int[T][];
        float[][] probs = new float[T][];
        for (int t = 0; t < T; t++) {
            int n = 1 + rnd.nextInt(K);   // sometimes fewer than k entries
            ids[t] = new int[n];
            probs[t] = new float[n];
            int first = rnd.nextInt(V);
            for (int j = 0; j < n; j++) {
                ids[t][j] = (first + 2 * j) % V;
                probs[t][j] = 0.05f + rnd.nextFloat() * 0.3f;
            }
        }
        p.kd(ids, probs, mask(), weights());
    }

    void addDpoPair(PackedLabels.Builder p) {
        p.dpoPair(targets(), mask(), -6 + rnd.nextGaussian(), targets(), mask(), -6 + rnd.nextGaussian());
    }

    /** A PG row for example {@code e}: old log-probs = the current ones plus noise so that some ratios clip. */
    void addPg(PackedLabels.Builder p, int e) {
        int[] ids = targets();
        float[] old = new float[T], ref = new float[T];
        for (int t = 0; t < T; t++) {
            double lp = trueLogProb(e, t, ids[t]);
            old[t] = (float) (lp + rnd.nextGaussian() * 0.4);
            ref[t] = (float) (lp + rnd.nextGaussian() * 0.4);
        }
        p.pg(ids, mask(), old, ref, rnd.nextGaussian());
    }

    double trueLogProb(int e, int t, int id) {
        double[] z = new double[V];
        for (int j = 0; j < V; j++) {
            z[j] = b[j];
            for (int i = 0; i < N_IN; i++) z[j] += h[e][i][t] * w[i][j];
        }
        return ReferenceHead.logSoftmax(z, 1)[id];
    }

    INDArray hArray() {
        return Nd4j.createFromArray(h).castTo(DataType.DOUBLE);
    }

    INDArray wArray() {
        return Nd4j.createFromArray(w).castTo(DataType.DOUBLE);
    }

    INDArray bArray() {
        return Nd4j.createFromArray(b).reshape(1, V).castTo(DataType.DOUBLE);
    }

    static double[][][] to3d(INDArray a) {
        int d0 = (int) a.size(0), d1 = (int) a.size(1), d2 = (int) a.size(2);
        double[][][] out = new double[d0][d1][d2];
        for (int i = 0; i < d0; i++) for (int j = 0; j < d1; j++) for (int k = 0; k < d2; k++) out[i][j][k] = a.getDouble(i, j, k);
        return out;
    }

    static double[][] to2d(INDArray a) {
        int d0 = (int) a.size(0), d1 = (int) a.size(1);
        double[][] out = new double[d0][d1];
        for (int i = 0; i < d0; i++) for (int j = 0; j < d1; j++) out[i][j] = a.getDouble(i, j);
        return out;
    }
}
