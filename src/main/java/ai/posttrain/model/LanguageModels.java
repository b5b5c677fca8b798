package ai.posttrain.model;

import ai.posttrain.model.head.HeadSettings;
import ai.posttrain.model.head.LmHeadOutputLayer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;

import java.util.ArrayList;
import java.util.List;

/** A fresh language model: the transformer with the multi-objective head, Adam and gradient clipping. */
public final class LanguageModels {
    private LanguageModels() {}

    /**
     * @param head     the head's objective settings (nIn/nOut are set here)
     * @param gradClip per-layer gradient L2-norm bound; 0 turns clipping off
     */
    public static ComputationGraph create(ModelConfig cfg, LmHeadOutputLayer.Builder head, double lr, double gradClip, long seed) {
        LmHeadOutputLayer headLayer = head.nIn(cfg.dModel()).nOut(cfg.vocab()).build();
        headLayer.setTrainBias(!cfg.llama()); // the Llama family's lm_head has no bias: b stays 0
        ComputationGraphConfiguration conf = TransformerGraph.configuration(cfg, headLayer,
                new Adam(lr, 0.9, 0.98, 1e-8), seed, DataType.FLOAT);
        if (gradClip > 0) {
            for (BaseLayer layer : trainableLayers(conf)) {
                layer.setGradientNormalization(GradientNormalization.ClipL2PerLayer);
                layer.setGradientNormalizationThreshold(gradClip);
            }
        }
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    /**
     * Decoupled (AdamW) weight decay of the weight matrices, {@code w -= lr * decay * w} after each Adam update
     * ({@link SequenceLayerConf#getRegularizationByParam} leaves biases and norm gains alone; the head decays its W).
     * Set on the graph's configuration (what DL4J-on-Spark sends to the workers) and on the live layers, like
     * {@link #setHeadSettings}; 0 removes it. A stage sets its own, whatever the checkpoint it loaded was trained with.
     */
    public static void setWeightDecay(ComputationGraph graph, double decay) {
        List<Regularization> reg = decay > 0 ? List.of(new WeightDecay(decay, true)) : new ArrayList<>();
        for (BaseLayer layer : trainableLayers(graph.getConfiguration())) layer.setRegularization(reg);
        for (org.deeplearning4j.nn.api.Layer live : graph.getLayers())
            if (live.conf().getLayer() instanceof BaseLayer layer) layer.setRegularization(reg);
    }

    /** The configurations of a graph's layers that have parameters (what clipping and decay apply to). */
    private static List<BaseLayer> trainableLayers(ComputationGraphConfiguration conf) {
        List<BaseLayer> layers = new ArrayList<>();
        for (GraphVertex v : conf.getVertices().values())
            if (v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof BaseLayer layer) layers.add(layer);
        return layers;
    }

    /**
     * Sets the objectives' weights and hyper-parameters of a model's head, e.g. of a loaded checkpoint that
     * a stage trains on other objectives than the one that saved it. Both the graph's configuration (what
     * DL4J-on-Spark sends to the workers) and the live layer's configuration change.
     */
    public static void setHeadSettings(ComputationGraph graph, HeadSettings s) {
        GraphVertex vertex = graph.getConfiguration().getVertices().get(TransformerGraph.HEAD);
        if (!(vertex instanceof LayerVertex lv) || !(lv.getLayerConf().getLayer() instanceof LmHeadOutputLayer))
            throw new IllegalArgumentException("the graph has no " + TransformerGraph.HEAD + " LmHeadOutputLayer");
        apply((LmHeadOutputLayer) lv.getLayerConf().getLayer(), s);
        apply((LmHeadOutputLayer) graph.getLayer(TransformerGraph.HEAD).conf().getLayer(), s);
    }

    private static void apply(LmHeadOutputLayer head, HeadSettings s) {
        head.setSftWeight(s.sftWeight());
        head.setKdWeight(s.kdWeight());
        head.setDpoWeight(s.dpoWeight());
        head.setPgWeight(s.pgWeight());
        head.setTemperature(s.temperature());
        head.setBeta(s.beta());
        head.setDpoNll(s.dpoNll());
        head.setClipLow(s.clipLow());
        head.setClipHigh(s.clipHigh());
        head.setKlCoef(s.klCoef());
    }
}
