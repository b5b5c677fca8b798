package ai.posttrain.model;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DL4J's numerical gradient check (double precision) over the whole graph: every parameter of the
 * embedding, both blocks and the final norm, with padding masks on inputs and labels.
 */
class GradientCheckTest {

    static {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    private static void check(String positions, int layers) {
        // tiny: DL4J's graph gradient check perturbs every parameter (it ignores subset/maxPerParam)
        check(new ModelConfig(5, 4, layers, 2, 6, 4, positions, false));
    }

    private static void check(ModelConfig cfg) {
        String positions = cfg.arch() + "/" + cfg.positions() + "/kv" + cfg.kvHeads() + (cfg.qkvBias() ? "/bias" : "");
        ComputationGraph g = TestGraphs.graph(cfg, new NoOp(), 12345, DataType.DOUBLE);
        // larger weights than the training init so that attention and layer norm are far from trivial
        g.params().assign(Nd4j.randn(DataType.DOUBLE, g.params().shape()).muli(0.4));
        int mb = 3, t = 4;
        INDArray ids = TestGraphs.randomIds(mb, t, cfg.vocab(), 1, DataType.DOUBLE);
        INDArray labels = TestGraphs.randomIds(mb, t, cfg.vocab(), 2, DataType.DOUBLE);
        INDArray mask = TestGraphs.lengthMask(new int[]{4, 2, 3}, t, DataType.DOUBLE);
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(g)
                .inputs(new INDArray[]{ids}).labels(new INDArray[]{labels})
                .inputMask(new INDArray[]{mask}).labelMask(new INDArray[]{mask})
                .epsilon(1e-6).maxRelError(1e-4).minAbsoluteError(1e-8)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
        assertTrue(ok, "gradient check failed for positions=" + positions);
    }

    @Test
    void learnedPositionsTwoBlocks() {
        check(ModelConfig.LEARNED, 2); // two blocks: the gradient w.r.t. a block's input is checked too
    }

    @Test
    void rotaryPositions() {
        check(ModelConfig.ROTARY, 1);
    }

    /** Llama block, final RMSNorm and the bias-free head: grouped-query attention (4 heads over 2) with q/k/v biases. */
    @Test
    void llamaGroupedQueryWithBiasesTwoBlocks() {
        check(ModelConfig.llama(5, 8, 2, 4, 2, 6, 4, false, 100.0, 1e-6, true));
    }

    @Test
    void llamaSingleKeyValueHeadNoBias() {
        check(ModelConfig.llama(5, 8, 1, 2, 1, 6, 4, false, 10000.0, 1e-5, false));
    }
}
