package ai.posttrain.format;

import ai.posttrain.format.hf.HfImport;
import ai.posttrain.model.Checkpoints;
import ai.posttrain.model.ModelConfig;
import ai.posttrain.tokenizer.ModelFolder;
import ai.posttrain.tokenizer.Tokenizer;
import ai.posttrain.tokenizer.Tokenizers;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A model folder as the commands that only use a model see it (export, generate, eval): one of this project's
 * checkpoints (model.zip, model.json, its tokenizer in tokenizer/) or a Hugging Face folder, with its tokenizer.
 */
public final class ModelDirs {
    /**
     * @param tokenizerFiles the folder holding the tokenizer's files, or null (the built-in byte tokenizer)
     */
    public record Loaded(ComputationGraph graph, ModelConfig config, Tokenizer tokenizer, String tokenizerFiles) {
    }

    private ModelDirs() {
    }

    public static Loaded load(String dir, Configuration hadoop) {
        try {
            FileSystem fs = new Path(dir).getFileSystem(hadoop);
            if (fs.exists(new Path(dir, Checkpoints.MODEL_ZIP))) {
                Checkpoints.Loaded ck = Checkpoints.load(dir, hadoop);
                Path files = new Path(dir, Tokenizers.CHECKPOINT_DIR);
                return new Loaded(ck.graph(), ck.info().config(), Tokenizers.fromCheckpoint(ck.info().tokenizer(), dir),
                        fs.exists(files) ? files.toString() : null);
            }
            if (fs.exists(new Path(dir, ModelFolder.CONFIG))) {
                HfImport.Imported imported = HfImport.load(dir, 0);
                return new Loaded(imported.graph(), imported.config(), Tokenizers.fromModelFolder(dir), dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir, e);
        }
        throw new ModelFormatException(dir, "model", "neither a checkpoint (" + Checkpoints.MODEL_ZIP
                + ") nor a Hugging Face model folder (" + ModelFolder.CONFIG + ")");
    }
}
