package ai.posttrain.format.hf;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** {@code config.json} and {@code generation_config.json} as transformers writes them for these architectures. */
public final class HfConfigWriter {
    /** The transformers release whose config layout these files follow. */
    public static final String TRANSFORMERS_VERSION = "4.46.0";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private HfConfigWriter() {}

    public static byte[] config(HfConfig c) {
        ObjectNode n = JSON.createObjectNode();
        n.putArray("architectures").add(c.architecture());
        n.put("model_type", c.modelType());
        n.put("vocab_size", c.vocabSize());
        n.put("hidden_size", c.hiddenSize());
        n.put("intermediate_size", c.intermediateSize());
        n.put("num_hidden_layers", c.numHiddenLayers());
        n.put("num_attention_heads", c.numAttentionHeads());
        n.put("num_key_value_heads", c.numKeyValueHeads());
        n.put("head_dim", c.headDim());
        n.put("hidden_act", "silu");
        n.put("max_position_embeddings", c.maxPositionEmbeddings());
        n.put("rms_norm_eps", c.rmsNormEps());
        n.put("rope_theta", c.ropeTheta());
        n.putNull("rope_scaling");
        n.put("tie_word_embeddings", c.tieWordEmbeddings());
        n.put("attention_dropout", 0.0);
        if (HfConfig.QWEN2.equals(c.architecture())) {
            n.put("use_sliding_window", false);
            n.put("sliding_window", c.maxPositionEmbeddings());
            n.put("max_window_layers", c.numHiddenLayers());
        } else {
            n.put("attention_bias", false);
            n.put("mlp_bias", false);
            n.put("pretraining_tp", 1);
        }
        putIds(n, c);
        n.put("use_cache", true);
        n.put("torch_dtype", c.torchDtype());
        n.put("transformers_version", TRANSFORMERS_VERSION);
        return bytes(n);
    }

    public static byte[] generationConfig(HfConfig c) {
        ObjectNode n = JSON.createObjectNode();
        putIds(n, c);
        n.put("transformers_version", TRANSFORMERS_VERSION);
        return bytes(n);
    }

    private static void putIds(ObjectNode n, HfConfig c) {
        if (c.bosTokenId() != null) n.put("bos_token_id", c.bosTokenId());
        if (c.eosTokenIds().size() == 1) n.put("eos_token_id", c.eosTokenIds().get(0));
        else if (!c.eosTokenIds().isEmpty()) c.eosTokenIds().forEach(n.withArray("eos_token_id")::add);
    }

    private static byte[] bytes(ObjectNode n) {
        try {
            return JSON.writeValueAsBytes(n);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
