package ai.posttrain.model;

import ai.posttrain.model.head.LmHeadOutputLayer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Decoupled weight decay: after one update, a decayed model's weight matrices differ from an undecayed twin's (same
 * start, same batch, so the same Adam step) by exactly lr * decay * w; biases and norm gains do not differ at all.
 * The decay is read from the graph's configuration, as Spark workers and checkpoints rebuild it.
 */
class WeightDecayTest {
    private static final double LR = 1e-2, DECAY = 0.1;

    @Test
    void decaysWeightMatricesByLrTimesDecayAndLeavesBiasesAndGainsAlone() {
        ModelConfig cfg = new ModelConfig(20, 16, 1, 2, 24, 8, ModelConfig.ROTARY, false);
        ComputationGraph plain = LanguageModels.create(cfg, new LmHeadOutputLayer.Builder(), LR, 1.0, 3);
        ComputationGraph decayed = LanguageModels.create(cfg, new LmHeadOutputLayer.Builder(), LR, 1.0, 3);
        LanguageModels.setWeightDecay(decayed, DECAY);
        ComputationGraph rebuilt = new ComputationGraph(ComputationGraphConfiguration.fromJson(decayed.getConfiguration().toJson()));
        rebuilt.init(decayed.params().dup(), false);

        String block = TransformerGraph.block(0);
        INDArray w0 = plain.getLayer(block).getParam("Wqkv").dup(), e0 = plain.getLayer(TransformerGraph.EMBED).getParam("E").dup();
        INDArray head0 = plain.getLayer(TransformerGraph.HEAD).getParam("W").dup();
        MultiDataSet batch = Benchmark.randomBatch(4, 8, cfg.vocab(), new Random(1));
        plain.fit(batch);
        rebuilt.fit(batch);

        assertDecayed(w0, plain.getLayer(block).getParam("Wqkv"), rebuilt.getLayer(block).getParam("Wqkv"), "Wqkv");
        assertDecayed(e0, plain.getLayer(TransformerGraph.EMBED).getParam("E"),
                rebuilt.getLayer(TransformerGraph.EMBED).getParam("E"), "embedding");
        assertDecayed(head0, plain.getLayer(TransformerGraph.HEAD).getParam("W"),
                rebuilt.getLayer(TransformerGraph.HEAD).getParam("W"), "head W");
        for (String key : new String[]{"ln1g", "ln1b", "bqkv", "b2"})
            assertEquals(plain.getLayer(block).getParam(key), rebuilt.getLayer(block).getParam(key), key + " is not decayed");
        assertEquals(plain.getLayer(TransformerGraph.HEAD).getParam("b"), rebuilt.getLayer(TransformerGraph.HEAD).getParam("b"));
        assertEquals(plain.getLayer(TransformerGraph.FINAL_NORM).getParam("g"),
                rebuilt.getLayer(TransformerGraph.FINAL_NORM).getParam("g"), "the final norm's gain is not decayed");

        // 0 takes it off again: the same step as the plain model's.
        ComputationGraph off = LanguageModels.create(cfg, new LmHeadOutputLayer.Builder(), LR, 1.0, 3);
        LanguageModels.setWeightDecay(off, DECAY);
        LanguageModels.setWeightDecay(off, 0);
        off.fit(batch);
        assertEquals(plain.params(), off.params());
    }

    /** plain - decayed == lr * decay * w0, element by element (float rounding aside). */
    private static void assertDecayed(INDArray before, INDArray plain, INDArray decayed, String what) {
        INDArray expected = before.mul(LR * DECAY);
        INDArray actual = plain.sub(decayed);
        double scale = expected.amaxNumber().doubleValue();
        assertTrue(scale > 0, what + " has weights");
        double err = actual.sub(expected).amaxNumber().doubleValue();
        assertTrue(err < 1e-3 * scale, what + ": plain - decayed differs from lr * decay * w by " + err + " (scale " + scale + ")");
    }
}
