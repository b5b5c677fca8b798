package ai.posttrain.config;

import java.io.Serializable;
import java.util.List;

/** One architecture from posttrain.model.{teacher,student}; the vocabulary comes from the tokenizer. */
public record ModelSettings(int dModel, int layers, int heads, int dFf, int maxSeqLen, String positions,
                            boolean tiedEmbeddings) implements Serializable {
    static ModelSettings from(Settings s) {
        int dModel = s.intIn("d-model", 8, 8192);
        int heads = s.intIn("heads", 1, 256);
        if (dModel % heads != 0) throw new ConfigError(s.key("heads"), "must divide d-model " + dModel + ", got " + heads);
        String positions = s.oneOf("positions", List.of("rotary", "learned"));
        if (positions.equals("rotary") && (dModel / heads) % 2 != 0) {
            throw new ConfigError(s.key("heads"), "rotary positions need an even head size, d-model/heads = " + dModel / heads);
        }
        if (s.bool("tied-embeddings")) throw new ConfigError(s.key("tied-embeddings"), "tied embeddings are not supported yet");
        return new ModelSettings(dModel, s.intIn("layers", 1, 128), heads, s.intIn("d-ff", 8, 65536),
                s.intIn("max-seq-len", 8, 65536), positions, false);
    }
}
