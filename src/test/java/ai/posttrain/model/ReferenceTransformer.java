package ai.posttrain.model;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The transformer written as plain Java loops over doubles, straight from the definitions, with no
 * ND4J arithmetic: the independent reference the ND4J layers are compared with.
 * Activations are double[mb][T][d].
 */
final class ReferenceTransformer {
    private final ModelConfig cfg;
    private final ComputationGraph graph;

    ReferenceTransformer(ModelConfig cfg, ComputationGraph graph) {
        this.cfg = cfg;
        this.graph = graph;
    }

    private double[][] matrix(String layer, String key) {
        INDArray p = graph.getLayer(layer).getParam(key);
        return p.toDoubleMatrix();
    }

    private double[] vector(String layer, String key) {
        return graph.getLayer(layer).getParam(key).dup().reshape(-1).toDoubleVector();
    }

    double[][][] embed(int[][] ids) {
        double[][] e = matrix(TransformerGraph.EMBED, "E");
        double[][] p = cfg.rotary() ? null : matrix(TransformerGraph.EMBED, "P");
        int mb = ids.length, t = ids[0].length, d = cfg.dModel();
        double[][][] out = new double[mb][t][d];
        for (int b = 0; b < mb; b++)
            for (int i = 0; i < t; i++)
                for (int c = 0; c < d; c++) out[b][i][c] = e[ids[b][i]][c] + (p == null ? 0 : p[i][c]);
        return out;
    }

    static double[] layerNorm(double[] x, double[] g, double[] bias) {
        double mean = 0, var = 0;
        for (double v : x) mean += v;
        mean /= x.length;
        for (double v : x) var += (v - mean) * (v - mean);
        var /= x.length;
        double[] y = new double[x.length];
        for (int c = 0; c < x.length; c++) y[c] = (x[c] - mean) / Math.sqrt(var + 1e-5) * g[c] + bias[c];
        return y;
    }

    static double[] affine(double[] x, double[][] w, double[] bias) {
        double[] y = bias.clone();
        for (int j = 0; j < y.length; j++)
            for (int i = 0; i < x.length; i++) y[j] += x[i] * w[i][j];
        return y;
    }

    /** GELU as ND4J's gelu op computes it: x * sigmoid(1.702 x). */
    static double gelu(double x) {
        return x / (1 + Math.exp(-1.702 * x));
    }

    /** Rotates channel pairs (i, i + hd/2) by pos * 10000^(-2i/hd). */
    static double[] rotary(double[] x, int pos) {
        return rotary(x, pos, 10000.0);
    }

    /** HF's rotate_half RoPE: channel pairs (i, i + hd/2) rotated by pos * theta^(-2i/hd). */
    static double[] rotary(double[] x, int pos, double theta) {
        int hd = x.length, half = hd / 2;
        double[] y = new double[hd];
        for (int i = 0; i < half; i++) {
            double angle = pos * Math.pow(theta, -2.0 * i / hd);
            double c = Math.cos(angle), s = Math.sin(angle);
            y[i] = x[i] * c - x[i + half] * s;
            y[i + half] = x[i + half] * c + x[i] * s;
        }
        return y;
    }

    /** HF LlamaRMSNorm: x / sqrt(mean(x^2) + eps) * g. */
    static double[] rmsNorm(double[] x, double[] g, double eps) {
        double ms = 0;
        for (double v : x) ms += v * v;
        ms /= x.length;
        double[] y = new double[x.length];
        for (int c = 0; c < x.length; c++) y[c] = x[c] / Math.sqrt(ms + eps) * g[c];
        return y;
    }

    static double silu(double x) {
        return x / (1 + Math.exp(-x));
    }

    /** Softmax attention of query i over keys 0..i (masked keys skipped): the mixed value, hd channels. */
    static double[] attend(double[] q, double[][] k, double[][] v, int i, double[] keyMask) {
        int hd = q.length;
        double[] s = new double[i + 1];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j <= i; j++) {
            if (keyMask != null && keyMask[j] == 0 && j != i) {
                s[j] = Double.NEGATIVE_INFINITY;
                continue;
            }
            for (int c = 0; c < hd; c++) s[j] += q[c] * k[j][c];
            s[j] /= Math.sqrt(hd);
            max = Math.max(max, s[j]);
        }
        double z = 0;
        for (int j = 0; j <= i; j++) z += s[j] == Double.NEGATIVE_INFINITY ? 0 : Math.exp(s[j] - max);
        double[] out = new double[hd];
        for (int j = 0; j <= i; j++) {
            double p = s[j] == Double.NEGATIVE_INFINITY ? 0 : Math.exp(s[j] - max) / z;
            for (int c = 0; c < hd; c++) out[c] += p * v[j][c];
        }
        return out;
    }

    /** A Llama-family block as HF's LlamaDecoderLayer computes it: one position at a time, head by head. */
    double[][][] llamaBlock(String name, double[][][] x, double[][] mask) {
        int mb = x.length, t = x[0].length, d = cfg.dModel(), h = cfg.heads(), kv = cfg.kvHeads(), hd = cfg.headSize();
        int ff = cfg.dFf(), group = h / kv;
        double[] g1 = vector(name, "attnNorm"), g2 = vector(name, "mlpNorm");
        double[][] wqkv = matrix(name, "Wqkv"), wo = matrix(name, "Wo"), wgu = matrix(name, "Wgu"), wdown = matrix(name, "Wdown");
        double[] bqkv = cfg.qkvBias() ? vector(name, "bqkv") : new double[cfg.qkvWidth()];
        double[][][] out = new double[mb][t][];
        for (int b = 0; b < mb; b++) {
            double[][][] q = new double[h][t][], k = new double[kv][t][], v = new double[kv][t][];
            for (int i = 0; i < t; i++) {
                double[] qkv = affine(rmsNorm(x[b][i], g1, cfg.normEps()), wqkv, bqkv);
                for (int hh = 0; hh < h; hh++)
                    q[hh][i] = rotary(java.util.Arrays.copyOfRange(qkv, hh * hd, hh * hd + hd), i, cfg.ropeTheta());
                for (int hh = 0; hh < kv; hh++) {
                    int kBase = h * hd + hh * hd, vBase = (h + kv) * hd + hh * hd;
                    k[hh][i] = rotary(java.util.Arrays.copyOfRange(qkv, kBase, kBase + hd), i, cfg.ropeTheta());
                    v[hh][i] = java.util.Arrays.copyOfRange(qkv, vBase, vBase + hd);
                }
            }
            for (int i = 0; i < t; i++) {
                double[] att = new double[d];
                for (int hh = 0; hh < h; hh++) {
                    double[] o = attend(q[hh][i], k[hh / group], v[hh / group], i, mask == null ? null : mask[b]);
                    System.arraycopy(o, 0, att, hh * hd, hd);
                }
                double[] o = affine(att, wo, new double[d]);
                double[] x1 = new double[d];
                for (int c = 0; c < d; c++) x1[c] = x[b][i][c] + o[c];
                double[] gu = affine(rmsNorm(x1, g2, cfg.normEps()), wgu, new double[2 * ff]);
                double[] a = new double[ff];
                for (int c = 0; c < ff; c++) a[c] = silu(gu[c]) * gu[ff + c];
                double[] m = affine(a, wdown, new double[d]);
                out[b][i] = new double[d];
                for (int c = 0; c < d; c++) out[b][i][c] = x1[c] + m[c];
            }
        }
        return out;
    }

    double[][][] block(String name, double[][][] x, double[][] mask) {
        if (cfg.llama()) return llamaBlock(name, x, mask);
        int mb = x.length, t = x[0].length, d = cfg.dModel(), h = cfg.heads(), hd = cfg.headSize();
        double[] g1 = vector(name, "ln1g"), b1 = vector(name, "ln1b"), g2 = vector(name, "ln2g"), b2 = vector(name, "ln2b");
        double[][] wqkv = matrix(name, "Wqkv"), wo = matrix(name, "Wo"), w1 = matrix(name, "W1"), w2 = matrix(name, "W2");
        double[] bqkv = vector(name, "bqkv"), bo = vector(name, "bo"), bf1 = vector(name, "b1"), bf2 = vector(name, "b2");
        double[][][] out = new double[mb][t][];
        for (int b = 0; b < mb; b++) {
            double[][][] q = new double[h][t][], k = new double[h][t][], v = new double[h][t][];
            for (int i = 0; i < t; i++) {
                double[] qkv = affine(layerNorm(x[b][i], g1, b1), wqkv, bqkv);
                for (int hh = 0; hh < h; hh++) {
                    q[hh][i] = new double[hd];
                    k[hh][i] = new double[hd];
                    v[hh][i] = new double[hd];
                    for (int c = 0; c < hd; c++) {
                        q[hh][i][c] = qkv[hh * hd + c];
                        k[hh][i][c] = qkv[d + hh * hd + c];
                        v[hh][i][c] = qkv[2 * d + hh * hd + c];
                    }
                    if (cfg.rotary()) {
                        q[hh][i] = rotary(q[hh][i], i);
                        k[hh][i] = rotary(k[hh][i], i);
                    }
                }
            }
            for (int i = 0; i < t; i++) {
                double[] att = new double[d];
                for (int hh = 0; hh < h; hh++) {
                    double[] s = new double[i + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= i; j++) {
                        if (mask != null && mask[b][j] == 0) {
                            s[j] = Double.NEGATIVE_INFINITY;
                            continue;
                        }
                        for (int c = 0; c < hd; c++) s[j] += q[hh][i][c] * k[hh][j][c];
                        s[j] /= Math.sqrt(hd);
                        max = Math.max(max, s[j]);
                    }
                    double z = 0;
                    for (int j = 0; j <= i; j++) z += s[j] == Double.NEGATIVE_INFINITY ? 0 : Math.exp(s[j] - max);
                    for (int j = 0; j <= i; j++) {
                        double p = s[j] == Double.NEGATIVE_INFINITY ? 0 : Math.exp(s[j] - max) / z;
                        for (int c = 0; c < hd; c++) att[hh * hd + c] += p * v[hh][j][c];
                    }
                }
                double[] o = affine(att, wo, bo);
                double[] x1 = new double[d];
                for (int c = 0; c < d; c++) x1[c] = x[b][i][c] + o[c];
                double[] u = affine(layerNorm(x1, g2, b2), w1, bf1);
                for (int c = 0; c < u.length; c++) u[c] = gelu(u[c]);
                double[] m = affine(u, w2, bf2);
                out[b][i] = new double[d];
                for (int c = 0; c < d; c++) out[b][i][c] = x1[c] + m[c];
            }
        }
        return out;
    }

    double[][][] finalNorm(double[][][] x) {
        double[] g = vector(TransformerGraph.FINAL_NORM, "g");
        double[] bias = cfg.llama() ? null : vector(TransformerGraph.FINAL_NORM, "b");
        double[][][] out = new double[x.length][x[0].length][];
        for (int b = 0; b < x.length; b++)
            for (int i = 0; i < x[0].length; i++)
                out[b][i] = cfg.llama() ? rmsNorm(x[b][i], g, cfg.normEps()) : layerNorm(x[b][i], g, bias);
        return out;
    }

    /** [mb, d, T] ND4J activations -> double[mb][T][d]. */
    static double[][][] fromNcw(INDArray a) {
        int mb = (int) a.size(0), d = (int) a.size(1), t = (int) a.size(2);
        double[][][] out = new double[mb][t][d];
        for (int b = 0; b < mb; b++)
            for (int c = 0; c < d; c++)
                for (int i = 0; i < t; i++) out[b][i][c] = a.getDouble(b, c, i);
        return out;
    }
}
