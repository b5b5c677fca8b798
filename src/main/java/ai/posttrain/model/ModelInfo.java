package ai.posttrain.model;

import java.util.Map;

/**
 * What model.json records next to a checkpoint.
 *
 * @param tokenizer  tokenizer kind ("byte", "hf:...")
 * @param stage      the stage that produced the checkpoint
 * @param step       optimisation steps taken so far
 * @param provenance free-form facts (run id, data, parent checkpoint, ...)
 */
public record ModelInfo(ModelConfig config, String tokenizer, String stage, long step, Map<String, String> provenance) {
    public ModelInfo {
        provenance = provenance == null ? Map.of() : Map.copyOf(provenance);
    }
}
