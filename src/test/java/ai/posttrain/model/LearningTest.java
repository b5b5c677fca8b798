package ai.posttrain.model;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.learning.config.Adam;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A small transformer learns to reverse sequences through ComputationGraph.fit: the layers really train. */
class LearningTest {

    @Test
    void learnsToReverseSequences() {
        ReverseTask task = new ReverseTask(4);
        ModelConfig cfg = new ModelConfig(ReverseTask.VOCAB, 32, 2, 2, 64, task.seqLen(), ModelConfig.ROTARY, false);
        ComputationGraph g = TestGraphs.graph(cfg, new Adam(1e-2), 42, DataType.FLOAT);
        Random r = new Random(0);
        double first = Double.NaN, last = Double.NaN;
        for (int step = 0; step < 400; step++) {
            MultiDataSet batch = task.batch(task.sequences(64, r));
            g.fit(batch);
            if (step == 0) first = g.score();
            last = g.score();
            if (step > 50 && last < 0.01) break;
        }
        assertTrue(last < 0.05, "loss after training " + last + " (started at " + first + ")");

        // held-out sequences: the argmax after SEP must reproduce the reversed input
        int[][] fresh = task.sequences(100, new Random(99));
        MultiDataSet test = task.batch(fresh);
        g.setLayerMaskArrays(test.getFeaturesMaskArrays(), null);
        INDArray probs = g.output(false, test.getFeatures(0))[0]; // [mb, vocab, T]
        int correct = 0, total = 0;
        for (int b = 0; b < fresh.length; b++)
            for (int i = task.n; i < task.seqLen(); i++) {
                int predicted = probs.get(org.nd4j.linalg.indexing.NDArrayIndex.point(b),
                        org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(i)).argMax().getInt(0);
                correct += predicted == fresh[b][i + 1] ? 1 : 0;
                total++;
            }
        assertEquals(1.0, correct / (double) total, 0.02, "held-out reversal accuracy");
    }
}
