package ai.posttrain.model;

import ai.posttrain.model.head.LmHeadOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.MultiDataSet;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** The Llama family's lm_head has no bias: the head's "b" stays exactly zero while everything else trains. */
class LlamaHeadBiasTest {
    @Test
    void headBiasStaysZeroWhileWeightsTrain() {
        ModelConfig cfg = ModelConfig.llama(20, 16, 1, 2, 1, 24, 8, false, 1e4, 1e-5, true);
        ComputationGraph g = LanguageModels.create(cfg, new LmHeadOutputLayer.Builder(), 1e-2, 1.0, 3);
        float[] before = g.getLayer(TransformerGraph.HEAD).getParam("W").dup().reshape(-1).toFloatVector();
        MultiDataSet batch = Benchmark.randomBatch(4, 8, cfg.vocab(), new Random(1));
        for (int i = 0; i < 3; i++) g.fit(batch);
        assertNotEquals(before[0], g.getLayer(TransformerGraph.HEAD).getParam("W").dup().reshape(-1).getFloat(0), "the head's weights train");
        assertEquals(0.0, g.getLayer(TransformerGraph.HEAD).getParam("b").norm1Number().doubleValue(), 0.0);
        // and after a configuration round trip (what Spark workers and checkpoints rebuild the graph from)
        ComputationGraph copy = new ComputationGraph(
                org.deeplearning4j.nn.conf.ComputationGraphConfiguration.fromJson(g.getConfiguration().toJson()));
        copy.init(g.params().dup(), false);
        for (int i = 0; i < 3; i++) copy.fit(batch);
        assertEquals(0.0, copy.getLayer(TransformerGraph.HEAD).getParam("b").norm1Number().doubleValue(), 0.0);
    }
}
