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

    /** Llama-3.2-1B-Instruct's config.json, as published (llama3 rope scaling). */
    static final String LLAMA32_1B = """
            {"architectures": ["LlamaForCausalLM"], "attention_bias": false, "attention_dropout": 0.0, "bos_token_id": 128000,
             "eos_token_id": [128001, 128008, 128009], "head_dim": 64, "hidden_act": "silu", "hidden_size": 2048,
             "initializer_range": 0.02, "intermediate_size": 8192, "max_position_embeddings": 131072, "mlp_bias": false,
             "model_type": "llama", "num_attention_heads": 32, "num_hidden_layers": 16, "num_key_value_heads": 8,
             "pretraining_tp": 1, "rms_norm_eps": 1e-05,
             "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                              "original_max_position_embeddings": 8192, "rope_type": "llama3"},
             "rope_theta": 500000.0, "tie_word_embeddings": true, "torch_dtype": "bfloat16",
             "transformers_version": "4.45.0.dev0", "use_cache": true, "vocab_size": 128256}
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
    void llama3RopeScalingIsReadUnderEitherKeyAndWrittenBack() throws IOException {
        HfConfig llama = parse(LLAMA32_1B);
        assertEquals(new ai.posttrain.model.RopeScaling(32.0, 1.0, 4.0, 8192), llama.ropeScaling());
        assertEquals(ModelConfig.llama(128256, 2048, 16, 32, 8, 8192, 4096, true, 500000.0, 1e-5, false)
                .withRopeScaling(llama.ropeScaling()), HfModelConfigs.toModelConfig(llama, 4096));
        assertEquals(List.of(128001, 128008, 128009), llama.eosTokenIds());
        assertEquals(llama, parse(new String(HfConfigWriter.config(llama), StandardCharsets.UTF_8)));
        // transformers' older spelling of the key
        assertEquals(llama, parse(LLAMA32_1B.replace("\"rope_type\": \"llama3\"", "\"type\": \"llama3\"")));
        assertNull(parse(SMOLLM2_135M).ropeScaling());
        assertNull(parse(SMOLLM2_135M.replace("\"rope_scaling\": null", "\"rope_scaling\": {\"rope_type\": \"default\"}")).ropeScaling());
    }

    @Test
    void unsupportedFieldsAreRefusedNamingFileAndField() {
        assertRefused(SMOLLM2_135M.replace("LlamaForCausalLM", "MistralForCausalLM"), "architectures",
                "'MistralForCausalLM' is not supported (supported: LlamaForCausalLM, Qwen2ForCausalLM)");
        assertRefused(SMOLLM2_135M.replace("\"rope_scaling\": null", "\"rope_scaling\": {\"factor\": 4.0, \"type\": \"yarn\"}"),
                "rope_scaling", "rope_type 'yarn' is not supported (only 'llama3' or rope_scaling: null)");
        assertRefused(LLAMA32_1B.replace("\"low_freq_factor\": 1.0,", ""), "rope_scaling.low_freq_factor",
                "expected a number, got null");
        assertRefused(LLAMA32_1B.replace("\"high_freq_factor\": 4.0", "\"high_freq_factor\": 0.5"), "rope_scaling",
                "rope scaling needs 0 < low_freq_factor < high_freq_factor, got 1.0, 0.5");
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
