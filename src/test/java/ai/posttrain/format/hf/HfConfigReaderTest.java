package ai.posttrain.format.hf;

import ai.posttrain.format.ModelFormatException;
import ai.posttrain.model.ModelConfig;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class HfConfigReaderTest {
    /** SmolLM2-135M-Instruct's config.json, as published. */
    static final String SMOLLM2_135M = """
            {"architectures": ["LlamaForCausalLM"], "attention_bias": false, "attention_dropout": 0.0, "bos_token_id": 1,
             "eos_token_id": 2, "hidden_act": "silu", "hidden_size": 576, "initializer_range": 0.041666666666666664,
             "intermediate_size": 1536, "is_llama_config": true, "max_position_embeddings": 8192, "model_type": "llama",
             "num_attention_heads": 9, "num_hidden_layers": 30, "num_key_value_heads": 3, "pad_token_id": 2,
             "pretraining_tp": 1, "rms_norm_eps": 1e-05, "rope_interleaved": false, "rope_scaling": null,
             "rope_theta": 100000, "tie_word_embeddings": true, "torch_dtype": "bfloat16",
             "transformers_version": "4.42.3", "use_cache": true, "vocab_size": 49152}
            """;
    /** Qwen2.5-0.5B-Instruct's config.json, as published. */
    static final String QWEN25_05B = """
            {"architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 151643, "eos_token_id": 151645,
             "hidden_act": "silu", "hidden_size": 896, "initializer_range": 0.02, "intermediate_size": 4864,
             "max_position_embeddings": 32768, "max_window_layers": 21, "model_type": "qwen2", "num_attention_heads": 14,
             "num_hidden_layers": 24, "num_key_value_heads": 2, "rms_norm_eps": 1e-06, "rope_theta": 1000000.0,
             "sliding_window": 32768, "tie_word_embeddings": true, "torch_dtype": "bfloat16", "transformers_version": "4.43.1",
             "use_cache": true, "use_sliding_window": false, "vocab_size": 151936}
            """;

    static HfConfig parse(String json) throws IOException {
        return HfConfigReader.parse("dir/config.json", new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void publishedConfigsMapFieldByField() throws IOException {
        HfConfig smol = parse(SMOLLM2_135M);
        assertEquals(ModelConfig.llama(49152, 576, 30, 9, 3, 1536, 2048, true, 100000.0, 1e-5, false),
                HfModelConfigs.toModelConfig(smol, 2048));
        assertEquals(1, smol.bosTokenId());
        assertEquals(List.of(2), smol.eosTokenIds());
        HfConfig qwen = parse(QWEN25_05B);
        assertEquals(ModelConfig.llama(151936, 896, 24, 14, 2, 4864, 32768, true, 1e6, 1e-6, true),
                HfModelConfigs.toModelConfig(qwen, 0));
        assertEquals(qwen, parse(new String(HfConfigWriter.config(qwen), StandardCharsets.UTF_8)));
        assertEquals(smol, parse(new String(HfConfigWriter.config(smol), StandardCharsets.UTF_8)));
    }

    @Test
    void unsupportedFieldsAreRefusedNamingFileAndField() {
        assertRefused(SMOLLM2_135M.replace("LlamaForCausalLM", "MistralForCausalLM"), "architectures",
                "'MistralForCausalLM' is not supported (supported: LlamaForCausalLM, Qwen2ForCausalLM)");
        assertRefused(SMOLLM2_135M.replace("\"rope_scaling\": null", "\"rope_scaling\": {\"factor\": 32.0, \"rope_type\": \"llama3\"}"),
                "rope_scaling", "rope_type 'llama3' is not supported (only rope_scaling: null)");
        assertRefused(SMOLLM2_135M.replace("\"hidden_act\": \"silu\"", "\"hidden_act\": \"gelu\""), "hidden_act",
                "'gelu' is not supported (only 'silu')");
        assertRefused(SMOLLM2_135M.replace("\"attention_bias\": false", "\"attention_bias\": true"), "attention_bias",
                "attention biases (q/k/v/o) are not supported for LlamaForCausalLM");
        assertRefused(SMOLLM2_135M.replace("\"use_cache\"", "\"mlp_bias\": true, \"use_cache\""), "mlp_bias",
                "MLP biases are not supported");
        assertRefused(SMOLLM2_135M.replace("\"use_cache\"", "\"head_dim\": 128, \"use_cache\""), "head_dim",
                "128 differs from hidden_size / num_attention_heads = 64 (unsupported)");
        assertRefused(QWEN25_05B.replace("\"use_sliding_window\": false", "\"use_sliding_window\": true"), "use_sliding_window",
                "sliding-window attention is not supported");
        assertRefused(SMOLLM2_135M.replace("\"hidden_size\": 576,", ""), "hidden_size", "missing");
        assertRefused(SMOLLM2_135M.replace("\"torch_dtype\": \"bfloat16\"", "\"torch_dtype\": \"int8\""), "torch_dtype",
                "'int8' is not supported (float32, float16, bfloat16)");
    }

    private static void assertRefused(String json, String field, String problem) {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> parse(json));
        assertEquals("dir/config.json: " + field + ": " + problem, e.getMessage());
    }
}
