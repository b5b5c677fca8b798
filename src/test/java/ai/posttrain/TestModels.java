package ai.posttrain;

import ai.posttrain.config.PosttrainConfig;
import ai.posttrain.model.Checkpoints;
import ai.posttrain.model.LanguageModels;
import ai.posttrain.model.ModelConfig;
import ai.posttrain.model.ModelInfo;
import ai.posttrain.model.head.LmHeadOutputLayer;
import ai.posttrain.tokenizer.Tokenizers;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Small models that tests make for themselves instead of downloading any. */
public final class TestModels {
    private TestModels() {}

    /** A random-weight checkpoint of conf/quick.conf's teacher shape (byte tokenizer) in {@code dir/teacher}. */
    public static String randomTeacher(Path dir) {
        var m = PosttrainConfig.load("conf/quick.conf", List.of()).teacher();
        ModelConfig arch = new ModelConfig(Tokenizers.create("byte", "").vocabSize(), m.dModel(), m.layers(), m.heads(),
                m.dFf(), m.maxSeqLen(), m.positions(), m.tiedEmbeddings());
        String out = dir.resolve("teacher").toString();
        Checkpoints.save(LanguageModels.create(arch, new LmHeadOutputLayer.Builder(), 1e-3, 1.0, 5),
                new ModelInfo(arch, "byte", "test", 0, Map.of()), out);
        return out;
    }
}
