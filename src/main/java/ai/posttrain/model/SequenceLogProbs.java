package ai.posttrain.model;

import ai.posttrain.model.head.TokenLogProbs;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

/**
 * Teacher-forced log-probs from a language model's training graph, a few sequences at a time: the
 * log-probs of a completion's tokens after its prompt (policy / reference log-probs), or of one token
 * after a whole sequence (the reward model's score).
 */
public final class SequenceLogProbs {
    private static final int BATCH = 8;
    private final ComputationGraph net;

    public SequenceLogProbs(ComputationGraph net) { this.net = net; }

    /** log p(completion[j] | prompt, completion[..j]) for every j, per sequence. */
    public List<float[]> completionLogProbs(List<int[]> prompts, List<int[]> completions) {
        List<int[]> inputs = new ArrayList<>(), targets = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            int[] p = prompts.get(i), c = completions.get(i);
            int n = p.length + c.length - 1;         // the last token is never an input
            int[] in = new int[n], tg = new int[n];
            System.arraycopy(p, 0, in, 0, p.length);
            System.arraycopy(c, 0, in, p.length, Math.max(0, c.length - 1));
            java.util.Arrays.fill(tg, -1);
            System.arraycopy(c, 0, tg, p.length - 1, c.length);
            inputs.add(in);
            targets.add(tg);
        }
        List<double[]> lp = logProbs(inputs, targets);
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            int p = prompts.get(i).length, m = completions.get(i).length;
            float[] row = new float[m];
            for (int j = 0; j < m; j++) row[j] = (float) lp.get(i)[p - 1 + j];
            out.add(row);
        }
        return out;
    }

    /** log p(token | sequence) at each sequence's last position. */
    public double[] nextTokenLogProb(List<int[]> sequences, int token) {
        List<int[]> targets = new ArrayList<>();
        for (int[] s : sequences) {
            int[] tg = new int[s.length];
            java.util.Arrays.fill(tg, -1);
            tg[s.length - 1] = token;
            targets.add(tg);
        }
        List<double[]> lp = logProbs(sequences, targets);
        double[] out = new double[sequences.size()];
        for (int i = 0; i < out.length; i++) out[i] = lp.get(i)[sequences.get(i).length - 1];
        return out;
    }

    /** Per position log p(target) (NaN where the target is -1), in batches padded to their longest input. */
    private List<double[]> logProbs(List<int[]> inputs, List<int[]> targets) {
        List<double[]> out = new ArrayList<>();
        for (int b0 = 0; b0 < inputs.size(); b0 += BATCH) {
            int rows = Math.min(BATCH, inputs.size() - b0), t = 1;
            for (int i = 0; i < rows; i++) t = Math.max(t, inputs.get(b0 + i).length);
            float[] ids = new float[rows * t], mask = new float[rows * t];
            int[][] tg = new int[rows][];
            for (int i = 0; i < rows; i++) {
                int[] in = inputs.get(b0 + i);
                for (int j = 0; j < in.length; j++) {
                    ids[i * t + j] = in[j];
                    mask[i * t + j] = 1f;
                }
                tg[i] = targets.get(b0 + i);
            }
            INDArray features = Nd4j.create(ids, new long[]{rows, 1, t}, 'c');
            INDArray featureMask = Nd4j.create(mask, new long[]{rows, t}, 'c');
            double[][] lp = TokenLogProbs.compute(net, TransformerGraph.HEAD, new INDArray[]{features},
                    new INDArray[]{featureMask}, tg);
            for (int i = 0; i < rows; i++) out.add(lp[i]);
        }
        return out;
    }
}
