package ai.posttrain.config;

import java.io.Serializable;
import java.util.List;

/**
 * One architecture from posttrain.model.{teacher,student}; the vocabulary comes from the tokenizer.
 *
 * @param arch "gpt" (LayerNorm, GELU, biases) or "llama" (RMSNorm, SwiGLU, grouped-query attention, rotary)
 */
public record ModelSettings(String arch, int dModel, int layers, int heads, int kvHeads, int dFf, int maxSeqLen,
                            String positions, boolean tiedEmbeddings, double ropeTheta) implements Serializable {
    static ModelSettings from(Settings s) {
        String arch = s.oneOf("arch", List.of("gpt", "llama"));
        int dModel = s.intIn("d-model", 8, 8192);
        int heads = s.intIn("heads", 1, 256);
        if (dModel % heads != 0) throw new ConfigError(s.key("heads"), "must divide d-model " + dModel + ", got " + heads);
        int kvHeads = s.intIn("kv-heads", 0, heads);
        if (kvHeads == 0) kvHeads = heads;
        if (heads % kvHeads != 0) throw new ConfigError(s.key("kv-heads"), "must divide heads " + heads + ", got " + kvHeads);
        String positions = s.oneOf("positions", List.of("rotary", "learned"));
        if (positions.equals("rotary") && (dModel / heads) % 2 != 0) {
            throw new ConfigError(s.key("heads"), "rotary positions need an even head size, d-model/heads = " + dModel / heads);
        }
        if (arch.equals("llama") && !positions.equals("rotary"))
            throw new ConfigError(s.key("positions"), "the llama architecture uses rotary positions");
        if (arch.equals("gpt") && kvHeads != heads)
            throw new ConfigError(s.key("kv-heads"), "grouped-query attention needs arch = llama");
        if (s.bool("tied-embeddings")) throw new ConfigError(s.key("tied-embeddings"),
                "fresh models have untied embeddings (tied ones come only from an imported Hugging Face model)");
        return new ModelSettings(arch, dModel, s.intIn("layers", 1, 128), heads, kvHeads, s.intIn("d-ff", 8, 65536),
                s.intIn("max-seq-len", 8, 65536), positions, false, s.doubleIn("rope-theta", 1, 1e9));
    }
}
