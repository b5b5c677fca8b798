package ai.posttrain.format.gguf;

import ai.posttrain.tokenizer.TokenizerExport;
import ai.posttrain.format.gguf.GgufWriter.GgmlType;
import ai.posttrain.format.hf.GraphHfWeights;
import ai.posttrain.format.hf.HfModel;
import ai.posttrain.model.ModelConfig;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.List;

/** A llama-architecture graph as a GGUF file for llama.cpp / Ollama / LM Studio (F32 or F16), tokenizer inside. */
public final class GgufExport {
    private GgufExport() {}

    /** @param maxPositions context length to declare (0: the engine's maxSeqLen) */
    public static void write(ComputationGraph graph, ModelConfig cfg, TokenizerExport tokenizer, GgmlType type, String name,
                             int maxPositions, String path, Configuration hadoop) {
        HfModel hf = GraphHfWeights.toHf(graph, cfg, maxPositions > 0 ? maxPositions : cfg.maxSeqLen(),
                tokenizer.bos(), List.of(tokenizer.eos()));
        GgufModelWriter.write(path, name, hf.config(), hf.tensors(), tokenizer, type, hadoop);
    }
}
