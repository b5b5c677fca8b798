package ai.posttrain.stage;

import ai.posttrain.config.ConfigError;
import ai.posttrain.format.hf.HfImport;
import ai.posttrain.model.Checkpoints;
import ai.posttrain.model.ModelInfo;
import ai.posttrain.model.head.LmHeadOutputLayer;
import ai.posttrain.tokenizer.ModelFolder;
import ai.posttrain.tokenizer.ModelFolderTokenizer;
import ai.posttrain.tokenizer.Tokenizer;
import ai.posttrain.tokenizer.Tokenizers;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * A model a stage starts from, named by a config key (a stage's init, distillation's teacher): one of this
 * project's checkpoints (model.zip + model.json), or a Hugging Face model folder (config.json, safetensors,
 * tokenizer files), imported with the run's tokenizer, which must be the folder's own.
 */
public final class StartingModels {
    private StartingModels() {
    }

    /** A frozen teacher named by {@code key}: {@code dir} when set, else the run's complete overall-sft model. */
    static Checkpoints.Loaded teacher(String key, String dir, StageContext ctx) {
        if (!dir.isBlank()) return load(key, dir, ctx.tokenizer(), ctx.hadoop());
        StageCheckpoints overall = new StageCheckpoints(ctx.run(), DistillStage.PREVIOUS_STAGE);
        if (!overall.hasFinalModel())
            throw new ConfigError(key, "empty, and " + ctx.run().root() + " has no complete " + DistillStage.PREVIOUS_STAGE
                    + " model to distil; run it first or name a teacher checkpoint directory");
        return Checkpoints.load(overall.modelDir().toString(), ctx.hadoop());
    }

    public static Checkpoints.Loaded load(String key, String dir, Tokenizer runTokenizer, Configuration hadoop) {
        if (exists(dir, Checkpoints.MODEL_ZIP, hadoop)) return Checkpoints.load(dir, hadoop);
        if (!exists(dir, ModelFolder.CONFIG, hadoop))
            throw new ConfigError(key, "'" + dir + "' is neither a checkpoint (" + Checkpoints.MODEL_ZIP
                    + ") nor a Hugging Face model folder (" + ModelFolder.CONFIG + ")");
        checkSameTokenizer(key, dir, runTokenizer);
        HfImport.Imported imported = HfImport.load(dir, 0, new LmHeadOutputLayer.Builder(), 1e-4, 1.0, 1, hadoop);
        ModelInfo info = new ModelInfo(imported.config(), runTokenizer.kind(), "import", 0, Map.of("source", dir));
        return new Checkpoints.Loaded(imported.graph(), info);
    }

    /**
     * Token ids mean the same in two models only with one vocabulary: the folder's tokenizer.json must be the run
     * tokenizer's, byte for byte (the run's chat template renders every stage's data, whichever model it trains).
     */
    public static void checkSameTokenizer(String key, String dir, Tokenizer runTokenizer) {
        ModelFolderTokenizer own = Tokenizers.fromModelFolder(dir);
        boolean same = runTokenizer instanceof ModelFolderTokenizer run
                && java.util.Arrays.equals(run.folder().bytes(ModelFolder.TOKENIZER), own.folder().bytes(ModelFolder.TOKENIZER));
        if (!same)
            throw new ConfigError(key, "the model in '" + dir + "' has another tokenizer than the run's ("
                    + runTokenizer + "); set posttrain.tokenizer.kind = hf-model and posttrain.tokenizer.path to a folder"
                    + " with the same tokenizer.json (teacher and student must share one)");
    }

    /** Whether {@code dir} is a Hugging Face model folder rather than a checkpoint. */
    public static boolean isModelFolder(String dir, Configuration hadoop) {
        return !exists(dir, Checkpoints.MODEL_ZIP, hadoop) && exists(dir, ModelFolder.CONFIG, hadoop);
    }

    private static boolean exists(String dir, String file, Configuration hadoop) {
        try {
            Path p = new Path(dir, file);
            FileSystem fs = p.getFileSystem(hadoop);
            return fs.exists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir, e);
        }
    }
}
