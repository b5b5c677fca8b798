package ai.posttrain.model;

import ai.posttrain.model.head.LmHeadOutputLayer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.function.Consumer;

/**
 * A copy of a language model whose head objective settings (PG clip and KL coefficient, DPO beta, ...)
 * are changed, with the same parameters and optimiser state. The settings live in the configuration,
 * so they travel with the model to Spark workers and into checkpoints.
 */
public final class Heads {
    private Heads() {}

    public static ComputationGraph reconfigured(ComputationGraph graph, Consumer<LmHeadOutputLayer> change) {
        ComputationGraphConfiguration conf = graph.getConfiguration().clone();
        LayerVertex head = (LayerVertex) conf.getVertices().get(TransformerGraph.HEAD);
        change.accept((LmHeadOutputLayer) head.getLayerConf().getLayer());
        ComputationGraph copy = new ComputationGraph(conf);
        copy.init(graph.params().dup(), false);
        INDArray state = graph.getUpdater() == null ? null : graph.getUpdater().getStateViewArray();
        if (state != null && copy.getUpdater() != null && copy.getUpdater().getStateViewArray() != null)
            copy.getUpdater().getStateViewArray().assign(state);
        return copy;
    }

    public static LmHeadOutputLayer head(ComputationGraph graph) {
        return (LmHeadOutputLayer) ((LayerVertex) graph.getConfiguration().getVertices().get(TransformerGraph.HEAD))
                .getLayerConf().getLayer();
    }
}
