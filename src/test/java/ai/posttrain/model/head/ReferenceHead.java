package ai.posttrain.model.head;

/**
 * Plain-Java reference for the head's loss, written straight from the formulas in {@link LmHeadOutputLayer}'s
 * Javadoc with dense loops (no ND4J), and its gradient by central finite differences.
 */
final class ReferenceHead {
    final double[][][] h;     // [mb][nIn][T]
    final double[][] w;       // [nIn][V]
    final double[] b;         // [V]
    final double[][][] labels; // [mb][C][T]
    final double[][] mask;    // [mb][T]
    final HeadSettings s;

    ReferenceHead(double[][][] h, double[][] w, double[] b, double[][][] labels, double[][] mask, HeadSettings s) {
        this.h = h;
        this.w = w;
        this.b = b;
        this.labels = labels;
        this.mask = mask;
        this.s = s;
    }

    double loss() {
        int mb = h.length, tt = h[0][0].length, v = b.length, k = (labels[0].length - 7) / 2;
        double sftNum = 0, sftDen = 0, kdNum = 0, kdDen = 0, pgNum = 0, pgDen = 0, dpoSum = 0;
        int pairs = 0;
        double[] pi = new double[mb];
        for (int e = 0; e < mb; e++) {
            int obj = (int) labels[e][2][0];
            for (int t = 0; t < tt; t++) {
                double m = obj == 0 ? 0 : mask[e][t];
                if (m == 0) continue;
                double wt = labels[e][1][t];
                double[] z = new double[v];
                for (int j = 0; j < v; j++) {
                    z[j] = b[j];
                    for (int i = 0; i < h[e].length; i++) z[j] += h[e][i][t] * w[i][j];
                }
                int target = (int) labels[e][0][t];
                if (obj == 1) {
                    sftNum += m * wt * -logSoftmax(z, 1)[target];
                    sftDen += m;
                } else if (obj == 2) {
                    double tau = s.temperature();
                    double[] ls = logSoftmax(z, tau);
                    double qs = 0;
                    for (int j = 0; j < k; j++) qs += labels[e][7 + k + j][t];
                    double kl = 0;
                    for (int j = 0; j < k; j++) {
                        double q = labels[e][7 + k + j][t] / qs;
                        if (q > 0) kl += q * (Math.log(q) - ls[(int) labels[e][7 + j][t]]);
                    }
                    kdNum += m * wt * tau * tau * kl;
                    kdDen += m;
                } else if (obj == 3) {
                    pi[e] += m * logSoftmax(z, 1)[target];
                } else if (obj == 4) {
                    double lp = logSoftmax(z, 1)[target];
                    double ratio = Math.exp(lp - labels[e][3][t]);
                    double adv = labels[e][5][0];
                    double clipped = Math.min(Math.max(ratio, 1 - s.clipLow()), 1 + s.clipHigh());
                    double tok = -Math.min(ratio * adv, clipped * adv);
                    double ref = labels[e][4][t];
                    if (!Double.isNaN(ref)) tok += s.klCoef() * (Math.exp(ref - lp) - (ref - lp) - 1);
                    pgNum += m * tok;
                    pgDen += m;
                }
            }
        }
        for (int e = 0; e + 1 < mb; e += 2) {
            if ((int) labels[e][2][0] != 3) continue;
            double u = s.beta() * ((pi[e] - labels[e][6][0]) - (pi[e + 1] - labels[e + 1][6][0]));
            dpoSum += -Math.log(1 / (1 + Math.exp(-u)));
            double chosenTokens = 0;
            for (int t = 0; t < tt; t++) chosenTokens += mask[e][t];
            dpoSum += s.dpoNll() * -pi[e] / Math.max(chosenTokens, 1);
            pairs++;
        }
        return (sftDen > 0 ? s.sftWeight() * sftNum / sftDen : 0) + (kdDen > 0 ? s.kdWeight() * kdNum / kdDen : 0)
                + (pairs > 0 ? s.dpoWeight() * dpoSum / pairs : 0) + (pgDen > 0 ? s.pgWeight() * pgNum / pgDen : 0);
    }

    static double[] logSoftmax(double[] z, double tau) {
        double max = Double.NEGATIVE_INFINITY;
        for (double x : z) max = Math.max(max, x / tau);
        double sum = 0;
        for (double x : z) sum += Math.exp(x / tau - max);
        double[] out = new double[z.length];
        for (int j = 0; j < z.length; j++) out[j] = z[j] / tau - max - Math.log(sum);
        return out;
    }

    /** Central finite difference of {@link #loss()} in one entry, via a setter on the array it lives in. */
    double fd(double[] arr, int idx, double eps) {
        double orig = arr[idx];
        arr[idx] = orig + eps;
        double up = loss();
        arr[idx] = orig - eps;
        double down = loss();
        arr[idx] = orig;
        return (up - down) / (2 * eps);
    }

    double[][] gradW(double eps) {
        double[][] g = new double[w.length][w[0].length];
        for (int i = 0; i < w.length; i++) for (int j = 0; j < w[0].length; j++) g[i][j] = fd(w[i], j, eps);
        return g;
    }

    double[] gradB(double eps) {
        double[] g = new double[b.length];
        for (int j = 0; j < b.length; j++) g[j] = fd(b, j, eps);
        return g;
    }

    double[][][] gradH(double eps) {
        double[][][] g = new double[h.length][h[0].length][h[0][0].length];
        for (int e = 0; e < h.length; e++)
            for (int i = 0; i < h[0].length; i++)
                for (int t = 0; t < h[0][0].length; t++) g[e][i][t] = fd(h[e][i], t, eps);
        return g;
    }
}
