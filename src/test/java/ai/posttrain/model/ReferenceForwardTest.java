package ai.posttrain.model;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every custom layer's ND4J forward pass equals the plain-loop reference to 1e-5 (double precision), masks included. */
class ReferenceForwardTest {

    @ParameterizedTest
    @ValueSource(strings = {ModelConfig.LEARNED, ModelConfig.ROTARY})
    void layersMatchPlainLoopReference(String positions) {
        check(new ModelConfig(11, 16, 2, 4, 24, 8, positions, false));
    }

    /** Llama family: grouped-query attention (4 query heads over 2 or 1 key/value heads), q/k/v biases or none, a rope base. */
    @ParameterizedTest
    @ValueSource(strings = {"kv2-bias", "kv1-nobias", "kv4-bias"})
    void llamaBlocksMatchPlainLoopReference(String variant) {
        int kv = Integer.parseInt(variant.substring(2, 3));
        check(ModelConfig.llama(11, 16, 2, 4, kv, 24, 8, false, 500000.0, 1e-6, variant.endsWith("-bias")));
    }

    private static void check(ModelConfig cfg) {
        ComputationGraph g = TestGraphs.graph(cfg, new NoOp(), 7, DataType.DOUBLE);
        g.params().assign(Nd4j.randn(DataType.DOUBLE, g.params().shape()).muli(0.5));
        int mb = 3, t = 7;
        INDArray ids = TestGraphs.randomIds(mb, t, cfg.vocab(), 3, DataType.DOUBLE);
        // full, right-padded, and left-padded (the last one exercises the key-padding mask)
        INDArray mask = Nd4j.create(new double[][]{{1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 0, 0, 0}, {0, 0, 1, 1, 1, 1, 1}});
        g.setLayerMaskArrays(new INDArray[]{mask}, null);
        Map<String, INDArray> acts = g.feedForward(new INDArray[]{ids}, false, false);

        ReferenceTransformer ref = new ReferenceTransformer(cfg, g);
        int[][] idArr = new int[mb][t];
        for (int b = 0; b < mb; b++) for (int i = 0; i < t; i++) idArr[b][i] = ids.getInt(b, 0, i);
        double[][] maskArr = mask.toDoubleMatrix();

        assertClose(ref.embed(idArr), acts.get(TransformerGraph.EMBED), maskArr, "embed");
        String prev = TransformerGraph.EMBED;
        for (int i = 0; i < cfg.layers(); i++) {
            String name = TransformerGraph.block(i);
            // each layer is fed the graph's own input to it, so an error cannot hide behind an earlier one
            double[][][] expected = ref.block(name, ReferenceTransformer.fromNcw(acts.get(prev)), maskArr);
            assertClose(expected, acts.get(name), maskArr, name);
            prev = name;
        }
        assertClose(ref.finalNorm(ReferenceTransformer.fromNcw(acts.get(prev))), acts.get(TransformerGraph.FINAL_NORM),
                maskArr, TransformerGraph.FINAL_NORM);
    }

    /** Compares real (unmasked) positions; padded positions' outputs are never used downstream. */
    private static void assertClose(double[][][] expected, INDArray actual, double[][] mask, String what) {
        double[][][] got = ReferenceTransformer.fromNcw(actual);
        double maxAbs = 0;
        int compared = 0;
        for (int b = 0; b < expected.length; b++)
            for (int i = 0; i < expected[0].length; i++) {
                if (mask[b][i] == 0) continue;
                for (int c = 0; c < expected[0][0].length; c++) {
                    maxAbs = Math.max(maxAbs, Math.abs(expected[b][i][c] - got[b][i][c]));
                    compared++;
                }
            }
        assertTrue(compared > 0);
        assertEquals(0.0, maxAbs, 1e-5, what + " differs from the reference by " + maxAbs);
    }
}
