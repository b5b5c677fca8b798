package ai.posttrain.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

/**
 * Toy task "x1..xn SEP xn..x1": ids 1..8 are symbols, 9 is SEP. Inputs are the first 2n positions,
 * labels the next token, trained only after SEP (label mask), so the model must learn to attend backwards.
 */
final class ReverseTask {
    static final int VOCAB = 10;
    static final int SEP = 9;
    final int n;

    ReverseTask(int n) {
        this.n = n;
    }

    int seqLen() {
        return 2 * n;
    }

    int[][] sequences(int mb, Random r) {
        int[][] s = new int[mb][2 * n + 1];
        for (int b = 0; b < mb; b++) {
            for (int i = 0; i < n; i++) s[b][i] = 1 + r.nextInt(8);
            s[b][n] = SEP;
            for (int i = 0; i < n; i++) s[b][n + 1 + i] = s[b][n - 1 - i];
        }
        return s;
    }

    MultiDataSet batch(int[][] s) {
        int mb = s.length, t = seqLen();
        float[] in = new float[mb * t], lab = new float[mb * t], lm = new float[mb * t], fm = new float[mb * t];
        for (int b = 0; b < mb; b++)
            for (int i = 0; i < t; i++) {
                in[b * t + i] = s[b][i];
                lab[b * t + i] = s[b][i + 1];
                fm[b * t + i] = 1;
                lm[b * t + i] = i >= n ? 1 : 0;
            }
        return new MultiDataSet(new INDArray[]{Nd4j.create(in, new long[]{mb, 1, t})},
                new INDArray[]{Nd4j.create(lab, new long[]{mb, 1, t})},
                new INDArray[]{Nd4j.create(fm, new long[]{mb, t})},
                new INDArray[]{Nd4j.create(lm, new long[]{mb, t})});
    }
}
