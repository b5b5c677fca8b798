package ai.posttrain.format.hf;

import ai.posttrain.format.safetensors.SafetensorsFolder;
import ai.posttrain.model.LanguageModels;
import ai.posttrain.model.ModelConfig;
import ai.posttrain.model.head.LmHeadOutputLayer;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * A Hugging Face model folder (config.json + model.safetensors or shards with their index; F32, F16 or BF16)
 * on any Hadoop filesystem, as an engine graph. Anything the engine cannot represent stops with a
 * {@link ai.posttrain.format.ModelFormatException} naming the file and field.
 */
public final class HfImport {
    /** An imported model: the graph (fresh optimiser state), its architecture and the source config. */
    public record Imported(ComputationGraph graph, ModelConfig config, HfConfig hfConfig) {
    }

    private HfImport() {}

    /** With the default head objectives and optimiser settings; see {@link #load(String, int, LmHeadOutputLayer.Builder, double, double, long, Configuration)}. */
    public static Imported load(String dir, int maxSeqLenCap) {
        return load(dir, maxSeqLenCap, new LmHeadOutputLayer.Builder(), 1e-4, 1.0, 1, new Configuration());
    }

    /**
     * @param maxSeqLenCap context length cap (0: max_position_embeddings as it is)
     * @param head, lr, gradClip, seed as for {@link LanguageModels#create}; the seed only matters for
     *             parameters the folder does not set (none for these architectures)
     */
    public static Imported load(String dir, int maxSeqLenCap, LmHeadOutputLayer.Builder head, double lr, double gradClip,
                                long seed, Configuration hadoop) {
        HfConfig hf = HfConfigReader.read(dir, hadoop);
        ModelConfig cfg = HfModelConfigs.toModelConfig(hf, maxSeqLenCap);
        try (SafetensorsFolder weights = SafetensorsFolder.open(dir, hadoop)) {
            ComputationGraph graph = LanguageModels.create(cfg, head, lr, gradClip, seed);
            GraphHfWeights.load(graph, cfg, hf, weights);
            return new Imported(graph, cfg, hf);
        }
    }
}
