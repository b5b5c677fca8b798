package ai.posttrain.model;

import ai.posttrain.model.head.LmHeadOutputLayer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;

/** A fresh language model: the transformer with the multi-objective head, Adam and gradient clipping. */
public final class LanguageModels {
    private LanguageModels() {}

    /**
     * @param head     the head's objective settings (nIn/nOut are set here)
     * @param gradClip per-layer gradient L2-norm bound; 0 turns clipping off
     */
    public static ComputationGraph create(ModelConfig cfg, LmHeadOutputLayer.Builder head, double lr, double gradClip, long seed) {
        ComputationGraphConfiguration conf = TransformerGraph.configuration(cfg,
                head.nIn(cfg.dModel()).nOut(cfg.vocab()).build(), new Adam(lr, 0.9, 0.98, 1e-8), seed, DataType.FLOAT);
        if (gradClip > 0) {
            for (GraphVertex v : conf.getVertices().values()) {
                if (v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof BaseLayer layer) {
                    layer.setGradientNormalization(GradientNormalization.ClipL2PerLayer);
                    layer.setGradientNormalizationThreshold(gradClip);
                }
            }
        }
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }
}
