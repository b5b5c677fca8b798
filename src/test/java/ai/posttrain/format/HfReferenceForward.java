package ai.posttrain.format;

import ai.posttrain.format.hf.HfConfig;
import ai.posttrain.format.hf.HfTensorNames;

import java.util.Map;

/**
 * LlamaForCausalLM / Qwen2ForCausalLM's forward pass transcribed from transformers' modeling code, in double
 * precision on HF-named tensors: an engine-independent reference for the GGUF export and llama.cpp harness.
 */
public final class HfReferenceForward {
    private final HfConfig c;
    private final Map<String, Tensor> w;

    public HfReferenceForward(HfConfig c, Map<String, Tensor> w) {
        this.c = c;
        this.w = w;
    }

    /** logits[t][v] for the next token after tokens[0..t]. */
    public double[][] logits(int[] tokens) {
        int n = tokens.length, d = c.hiddenSize(), hd = c.headDim();
        int heads = c.numAttentionHeads(), kvHeads = c.numKeyValueHeads(), group = heads / kvHeads;
        double[][] x = new double[n][];
        Tensor embed = w.get(HfTensorNames.EMBED);
        for (int t = 0; t < n; t++) x[t] = row(embed, tokens[t]);
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            double[][] q = new double[n][], k = new double[n][], v = new double[n][];
            for (int t = 0; t < n; t++) {
                double[] h = rmsNorm(x[t], w.get(HfTensorNames.inputNorm(l)));
                q[t] = linear(h, w.get(HfTensorNames.q(l)), c.qkvBias() ? w.get(HfTensorNames.qBias(l)) : null);
                k[t] = linear(h, w.get(HfTensorNames.k(l)), c.qkvBias() ? w.get(HfTensorNames.kBias(l)) : null);
                v[t] = linear(h, w.get(HfTensorNames.v(l)), c.qkvBias() ? w.get(HfTensorNames.vBias(l)) : null);
                rope(q[t], heads, hd, t);
                rope(k[t], kvHeads, hd, t);
            }
            for (int t = 0; t < n; t++) {
                double[] attn = new double[heads * hd];
                for (int h = 0; h < heads; h++) {
                    int kvh = h / group;
                    double[] s = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int u = 0; u <= t; u++) {
                        double dot = 0;
                        for (int i = 0; i < hd; i++) dot += q[t][h * hd + i] * k[u][kvh * hd + i];
                        s[u] = dot / Math.sqrt(hd);
                        max = Math.max(max, s[u]);
                    }
                    double sum = 0;
                    for (int u = 0; u <= t; u++) sum += s[u] = Math.exp(s[u] - max);
                    for (int u = 0; u <= t; u++)
                        for (int i = 0; i < hd; i++) attn[h * hd + i] += s[u] / sum * v[u][kvh * hd + i];
                }
                add(x[t], linear(attn, w.get(HfTensorNames.o(l)), null));
            }
            for (int t = 0; t < n; t++) {
                double[] h = rmsNorm(x[t], w.get(HfTensorNames.postAttentionNorm(l)));
                double[] g = linear(h, w.get(HfTensorNames.gate(l)), null);
                double[] up = linear(h, w.get(HfTensorNames.up(l)), null);
                for (int i = 0; i < g.length; i++) g[i] = g[i] / (1 + Math.exp(-g[i])) * up[i];
                add(x[t], linear(g, w.get(HfTensorNames.down(l)), null));
            }
        }
        Tensor head = c.tieWordEmbeddings() ? embed : w.get(HfTensorNames.LM_HEAD);
        double[][] logits = new double[n][];
        for (int t = 0; t < n; t++) logits[t] = linear(rmsNorm(x[t], w.get(HfTensorNames.FINAL_NORM)), head, null);
        return logits;
    }

    /** HF's rotate_half: channel i pairs with i + hd/2, angle pos * theta^(-2i/hd). */
    private void rope(double[] x, int heads, int hd, int pos) {
        int half = hd / 2;
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < half; i++) {
                double angle = pos * Math.pow(c.ropeTheta(), -2.0 * i / hd);
                double a = x[h * hd + i], b = x[h * hd + i + half];
                x[h * hd + i] = a * Math.cos(angle) - b * Math.sin(angle);
                x[h * hd + i + half] = b * Math.cos(angle) + a * Math.sin(angle);
            }
        }
    }

    private double[] rmsNorm(double[] x, Tensor g) {
        double ms = 0;
        for (double v : x) ms += v * v;
        double scale = 1 / Math.sqrt(ms / x.length + c.rmsNormEps());
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) y[i] = x[i] * scale * g.data()[i];
        return y;
    }

    /** y = W x (+ b) with W stored [out, in] as HF does. */
    private static double[] linear(double[] x, Tensor weight, Tensor bias) {
        int out = (int) weight.shape()[0], in = (int) weight.shape()[1];
        double[] y = new double[out];
        for (int o = 0; o < out; o++) {
            double s = bias == null ? 0 : bias.data()[o];
            for (int i = 0; i < in; i++) s += weight.data()[o * in + i] * x[i];
            y[o] = s;
        }
        return y;
    }

    private static double[] row(Tensor t, int r) {
        int cols = (int) t.shape()[1];
        double[] y = new double[cols];
        for (int i = 0; i < cols; i++) y[i] = t.data()[r * cols + i];
        return y;
    }

    private static void add(double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) x[i] += y[i];
    }
}
