package ai.posttrain.format.hf;

import java.util.List;

/**
 * The fields of a Hugging Face {@code config.json} that define a LlamaForCausalLM / Qwen2ForCausalLM model,
 * already checked by {@link HfConfigReader} (defaults filled in as transformers fills them).
 *
 * @param architecture  "LlamaForCausalLM" or "Qwen2ForCausalLM"
 * @param qkvBias       q/k/v projections have biases (always for Qwen2; Llama's attention_bias)
 * @param torchDtype    the dtype the weights were saved in ("float32", "bfloat16", ...), informative only
 * @param bosTokenId    null when the config names none
 * @param eosTokenIds   empty when the config names none; several for e.g. Llama 3 instruct
 */
public record HfConfig(String architecture, int vocabSize, int hiddenSize, int intermediateSize, int numHiddenLayers,
                       int numAttentionHeads, int numKeyValueHeads, int maxPositionEmbeddings, double ropeTheta,
                       double rmsNormEps, boolean tieWordEmbeddings, boolean qkvBias, String torchDtype,
                       Integer bosTokenId, List<Integer> eosTokenIds) {
    public static final String LLAMA = "LlamaForCausalLM";
    public static final String QWEN2 = "Qwen2ForCausalLM";

    public HfConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
    }

    public String modelType() {
        return QWEN2.equals(architecture) ? "qwen2" : "llama";
    }

    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }
}
