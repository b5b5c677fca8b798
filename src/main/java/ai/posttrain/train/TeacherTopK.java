package ai.posttrain.train;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs a frozen model over rendered conversations and keeps, at every trained position, the k most
 * likely next tokens and their log-probabilities under softmax(logits / temperature): the token-level
 * distillation targets.
 */
public final class TeacherTopK {
    private final ComputationGraph teacher;
    private final int k;
    private final double temperature;

    public TeacherTopK(ComputationGraph teacher, int k, double temperature) {
        if (k < 1) throw new IllegalArgumentException("k must be >= 1, got " + k);
        if (!(temperature > 0)) throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
        this.teacher = teacher;
        this.k = k;
        this.temperature = temperature;
    }

    /** One forward pass over the batch (padded to its longest sequence). */
    public List<KdExample> score(List<SftExample> batch) {
        int t = 1;
        for (SftExample e : batch) t = Math.max(t, e.predictedLength());
        List<int[]> seqs = batch.stream().map(SftExample::tokens).toList();
        INDArray features = Minibatches.inputIds(seqs, t);
        INDArray mask = Minibatches.featureMask(seqs, t);
        INDArray logits = teacher.output(false, new INDArray[]{features}, new INDArray[]{mask})[0];   // [mb, V, T]
        int v = (int) logits.size(1);
        // [mb, T, V] in c order: one contiguous vocabulary row per position.
        float[] flat = logits.permute(0, 2, 1).dup('c').castTo(DataType.FLOAT).data().asFloat();
        List<KdExample> out = new ArrayList<>(batch.size());
        double[] row = new double[v];
        for (int b = 0; b < batch.size(); b++) {
            SftExample e = batch.get(b);
            int n = e.predictedLength();
            int[][] ids = new int[n][];
            float[][] logps = new float[n][];
            for (int pos = 0; pos < n; pos++) {
                if (!e.trained()[pos + 1]) continue;
                int base = (b * t + pos) * v;
                for (int j = 0; j < v; j++) row[j] = flat[base + j] / temperature;
                logSoftmax(row);
                ids[pos] = topIndices(row, k);
                logps[pos] = new float[ids[pos].length];
                for (int j = 0; j < ids[pos].length; j++) logps[pos][j] = (float) row[ids[pos][j]];
            }
            out.add(new KdExample(e.id(), e.domain(), e.tokens(), e.trained(), ids, logps));
        }
        return out;
    }

    static void logSoftmax(double[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (double x : z) max = Math.max(max, x);
        double sum = 0;
        for (double x : z) sum += Math.exp(x - max);
        double log = max + Math.log(sum);
        for (int i = 0; i < z.length; i++) z[i] -= log;
    }

    /** Indices of the k largest values, largest first (lower index first among equals). */
    static int[] topIndices(double[] values, int k) {
        int n = Math.min(k, values.length);
        int[] top = new int[n];
        int size = 0;
        for (int i = 0; i < values.length; i++) {
            if (size == n && values[i] <= values[top[n - 1]]) continue;
            int at = size < n ? size++ : n - 1;
            while (at > 0 && values[top[at - 1]] < values[i]) {
                top[at] = top[at - 1];
                at--;
            }
            top[at] = i;
        }
        return top;
    }
}
