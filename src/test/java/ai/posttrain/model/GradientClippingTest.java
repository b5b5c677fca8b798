package ai.posttrain.model;

import ai.posttrain.model.head.LmHeadOutputLayer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** train.grad-clip reaches every layer with parameters, in the configuration the Spark workers rebuild from JSON. */
class GradientClippingTest {
    private static final ModelConfig CFG = new ModelConfig(20, 16, 2, 2, 24, 8, ModelConfig.ROTARY, false);

    @Test
    void everyLayerWithParametersClipsItsGradientPerLayer() {
        int clipped = 0;
        for (BaseLayer layer : rebuiltLayers(0.5)) {
            assertEquals(GradientNormalization.ClipL2PerLayer, layer.getGradientNormalization(), layer.getLayerName());
            assertEquals(0.5, layer.getGradientNormalizationThreshold(), 0.0, layer.getLayerName());
            clipped++;
        }
        // embedding, two blocks, final norm, head
        assertEquals(5, clipped);
        for (BaseLayer layer : rebuiltLayers(0))
            assertTrue(layer.getGradientNormalization() == null || layer.getGradientNormalization() == GradientNormalization.None,
                    layer.getLayerName() + ": grad-clip 0 turns clipping off");
    }

    private static List<BaseLayer> rebuiltLayers(double gradClip) {
        ComputationGraph graph = LanguageModels.create(CFG, new LmHeadOutputLayer.Builder(), 1e-3, gradClip, 1);
        ComputationGraph rebuilt = new ComputationGraph(ComputationGraphConfiguration.fromJson(graph.getConfiguration().toJson()));
        rebuilt.init();
        List<BaseLayer> layers = new ArrayList<>();
        for (org.deeplearning4j.nn.api.Layer live : rebuilt.getLayers())
            if (live.conf().getLayer() instanceof BaseLayer layer) layers.add(layer);
        return layers;
    }
}
