package ai.posttrain.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The architectures of well-known open checkpoints (their config.json values), for benchmarks with random
 * weights at real size. The vocabulary is the checkpoint's embedding size.
 */
public final class NamedShapes {
    private static final Map<String, ModelConfig> SHAPES = new LinkedHashMap<>();

    static {
        // HuggingFaceTB/SmolLM2-135M(-Instruct): LlamaForCausalLM, tied, 9 heads over 3 key/value heads
        SHAPES.put("smollm2-135m", ModelConfig.llama(49152, 576, 30, 9, 3, 1536, 8192, true, 100000.0, 1e-5, false));
        // HuggingFaceTB/SmolLM2-360M(-Instruct)
        SHAPES.put("smollm2-360m", ModelConfig.llama(49152, 960, 32, 15, 5, 2560, 8192, true, 100000.0, 1e-5, false));
        // Qwen/Qwen2.5-0.5B(-Instruct): Qwen2ForCausalLM, q/k/v biases, tied
        SHAPES.put("qwen2.5-0.5b", ModelConfig.llama(151936, 896, 24, 14, 2, 4864, 32768, true, 1000000.0, 1e-6, true));
    }

    private NamedShapes() {
    }

    /** The shape called {@code name}, or null. */
    public static ModelConfig get(String name) {
        return SHAPES.get(name);
    }

    public static java.util.Set<String> names() {
        return SHAPES.keySet();
    }
}
