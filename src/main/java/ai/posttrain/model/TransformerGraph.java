package ai.posttrain.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * Builds the causal transformer as a DL4J ComputationGraph:
 * "ids" [mb,1,T] -> "embed" -> "block0".."block{L-1}" ({@link TransformerBlock} or {@link LlamaBlock}) -> "final_norm"
 * -> "lm_head" (the given output layer,
 * fed [mb, dModel, T]). Workspaces are off: the custom layers keep forward results for their backward pass.
 */
public final class TransformerGraph {
    public static final String INPUT = "ids";
    public static final String EMBED = "embed";
    public static final String FINAL_NORM = "final_norm";
    public static final String HEAD = "lm_head";

    private TransformerGraph() {
    }

    public static String block(int i) {
        return "block" + i;
    }

    public static ComputationGraph build(ModelConfig cfg, Layer outputLayer, IUpdater updater, long seed) {
        return build(cfg, outputLayer, updater, seed, DataType.FLOAT);
    }

    public static ComputationGraph build(ModelConfig cfg, Layer outputLayer, IUpdater updater, long seed, DataType dataType) {
        ComputationGraph graph = new ComputationGraph(configuration(cfg, outputLayer, updater, seed, dataType));
        graph.init();
        return graph;
    }

    public static ComputationGraphConfiguration configuration(ModelConfig cfg, Layer outputLayer, IUpdater updater,
                                                              long seed, DataType dataType) {
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(updater)
                .dataType(dataType)
                .weightInit(WeightInit.NORMAL)
                .trainingWorkspaceMode(WorkspaceMode.NONE)
                .inferenceWorkspaceMode(WorkspaceMode.NONE)
                .graphBuilder()
                .addInputs(INPUT)
                .setInputTypes(InputType.recurrent(1));
        b.addLayer(EMBED, new TokenEmbedding(cfg), INPUT);
        String prev = EMBED;
        for (int i = 0; i < cfg.layers(); i++) {
            b.addLayer(block(i), cfg.llama() ? new LlamaBlock(cfg) : new TransformerBlock(cfg), prev);
            prev = block(i);
        }
        b.addLayer(FINAL_NORM, new FinalNorm(cfg), prev);
        b.addLayer(HEAD, outputLayer, FINAL_NORM);
        b.setOutputs(HEAD);
        return b.build();
    }
}
