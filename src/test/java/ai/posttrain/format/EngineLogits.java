package ai.posttrain.format;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The engine's own forward pass on one token sequence: graph.output (training=false), logits [1, V, T]. */
public final class EngineLogits {
    private EngineLogits() {}

    public static double[][] logits(ComputationGraph graph, int[] tokens) {
        float[] ids = new float[tokens.length];
        for (int i = 0; i < ids.length; i++) ids[i] = tokens[i];
        INDArray features = Nd4j.create(ids, new long[]{1, 1, tokens.length}, 'c');
        INDArray mask = Nd4j.ones(DataType.FLOAT, 1, tokens.length);
        INDArray out = graph.output(false, new INDArray[]{features}, new INDArray[]{mask})[0];
        int vocab = (int) out.size(1);
        double[][] logits = new double[tokens.length][vocab];
        for (int t = 0; t < tokens.length; t++)
            for (int v = 0; v < vocab; v++) logits[t][v] = out.getDouble(0, v, t);
        return logits;
    }

    /** Greedy decoding by full re-evaluation (no KV cache): the plainest statement of "argmax next token". */
    public static int[] greedy(ComputationGraph graph, int[] prompt, int n) {
        int[] seq = java.util.Arrays.copyOf(prompt, prompt.length + n);
        for (int i = 0; i < n; i++) {
            double[][] l = logits(graph, java.util.Arrays.copyOf(seq, prompt.length + i));
            seq[prompt.length + i] = LogitComparison.argmax(l[l.length - 1]);
        }
        return java.util.Arrays.copyOfRange(seq, prompt.length, seq.length);
    }
}
