package ai.posttrain.format.hf;

import ai.posttrain.model.RopeScaling;

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
 * @param ropeScaling   rope_scaling of type llama3 (Llama 3.1/3.2), or null for rope_scaling: null
 */
public record HfConfig(String architecture, int vocabSize, int hiddenSize, int intermediateSize, int numHiddenLayers,
                       int numAttentionHeads, int numKeyValueHeads, int maxPositionEmbeddings, double ropeTheta,
                       double rmsNormEps, boolean tieWordEmbeddings, boolean qkvBias, String torchDtype,
                       Integer bosTokenId, List<Integer> eosTokenIds, RopeScaling ropeScaling) {
    public static final String LLAMA = "LlamaForCausalLM";
    public static final String QWEN2 = "Qwen2ForCausalLM";

    public HfConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
    }

    /** Without rope scaling. */
    public HfConfig(String architecture, int vocabSize, int hiddenSize, int intermediateSize, int numHiddenLayers,
                    int numAttentionHeads, int numKeyValueHeads, int maxPositionEmbeddings, double ropeTheta,
                    double rmsNormEps, boolean tieWordEmbeddings, boolean qkvBias, String torchDtype,
                    Integer bosTokenId, List<Integer> eosTokenIds) {
        this(architecture, vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads, numKeyValueHeads,
                maxPositionEmbeddings, ropeTheta, rmsNormEps, tieWordEmbeddings, qkvBias, torchDtype, bosTokenId,
                eosTokenIds, null);
    }

    /** This config with other weights' dtype. */
    public HfConfig withTorchDtype(String dtype) {
        return new HfConfig(architecture, vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
                numKeyValueHeads, maxPositionEmbeddings, ropeTheta, rmsNormEps, tieWordEmbeddings, qkvBias, dtype,
                bosTokenId, eosTokenIds, ropeScaling);
    }

    /** This config with Llama 3 rope scaling ({@code null}: none). */
    public HfConfig withRopeScaling(RopeScaling scaling) {
        return new HfConfig(architecture, vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
                numKeyValueHeads, maxPositionEmbeddings, ropeTheta, rmsNormEps, tieWordEmbeddings, qkvBias, torchDtype,
                bosTokenId, eosTokenIds, scaling);
    }

    public String modelType() {
        return QWEN2.equals(architecture) ? "qwen2" : "llama";
    }

    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }
}
