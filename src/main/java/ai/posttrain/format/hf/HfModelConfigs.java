package ai.posttrain.format.hf;

import ai.posttrain.format.ModelFormatException;
import ai.posttrain.model.ModelConfig;

import java.util.List;

/** Maps between a Hugging Face config and the engine's {@link ModelConfig}. */
public final class HfModelConfigs {
    private HfModelConfigs() {}

    /**
     * The engine architecture for {@code hf}. The context length is max_position_embeddings, capped at
     * {@code maxSeqLenCap} when positive (an 8k-context model need not allocate 8k positions to train on 512).
     */
    public static ModelConfig toModelConfig(HfConfig hf, int maxSeqLenCap) {
        int maxSeqLen = maxSeqLenCap > 0 ? Math.min(hf.maxPositionEmbeddings(), maxSeqLenCap) : hf.maxPositionEmbeddings();
        return ModelConfig.llama(hf.vocabSize(), hf.hiddenSize(), hf.numHiddenLayers(), hf.numAttentionHeads(),
                hf.numKeyValueHeads(), hf.intermediateSize(), maxSeqLen, hf.tieWordEmbeddings(), hf.ropeTheta(),
                hf.rmsNormEps(), hf.qkvBias());
    }

    /**
     * The HF config of an engine model. q/k/v biases make it a Qwen2ForCausalLM (Llama's attention_bias would
     * also need an o_proj bias), otherwise a LlamaForCausalLM.
     *
     * @param tied          whether the export writes the embedding tied (decided from the weights, see {@link GraphHfWeights})
     * @param maxPositions  max_position_embeddings to declare (the source model's, or the engine's maxSeqLen)
     */
    public static HfConfig fromModelConfig(ModelConfig cfg, boolean tied, int maxPositions, Integer bos, List<Integer> eos) {
        if (!cfg.llama())
            throw new ModelFormatException("model", "arch", "'" + cfg.arch() + "' models have no Hugging Face/GGUF export (only 'llama')");
        return new HfConfig(cfg.qkvBias() ? HfConfig.QWEN2 : HfConfig.LLAMA, cfg.vocab(), cfg.dModel(), cfg.dFf(), cfg.layers(),
                cfg.heads(), cfg.kvHeads(), maxPositions, cfg.ropeTheta(), cfg.normEps(), tied, cfg.qkvBias(),
                "float32", bos, eos);
    }
}
