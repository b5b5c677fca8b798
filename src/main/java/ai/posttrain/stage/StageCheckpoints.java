package ai.posttrain.stage;

import ai.posttrain.tokenizer.Tokenizer;
import ai.posttrain.tokenizer.Tokenizers;

import ai.posttrain.model.Checkpoints;
import ai.posttrain.model.ModelInfo;
import ai.posttrain.run.RunDir;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A stage's checkpoints ({@code <run>/<stage>/checkpoints/step-NNNNNN}) and its final model
 * ({@code <run>/<stage>/model}). Each is written to a hidden folder and renamed into place, so a
 * killed job never leaves a half checkpoint that a resume would pick up.
 */
final class StageCheckpoints {
    private static final int KEEP = 2;
    private final RunDir run;
    private final String stage;
    private final FileSystem fs;
    private final Tokenizer tokenizer;   // travels with the final model (tokenizer/), so it exports and loads alone

    StageCheckpoints(RunDir run, String stage) {
        this(run, stage, null);
    }

    StageCheckpoints(RunDir run, String stage, Tokenizer tokenizer) {
        this.run = run;
        this.stage = stage;
        this.fs = run.fs();
        this.tokenizer = tokenizer;
    }

    Path modelDir() { return new Path(run.stageDir(stage), "model"); }

    private Path checkpointsDir() { return new Path(run.stageDir(stage), "checkpoints"); }

    boolean hasFinalModel() { return exists(new Path(modelDir(), Checkpoints.MODEL_ZIP)); }

    /** The latest complete checkpoint, if any. */
    Optional<Checkpoints.Loaded> latest() {
        List<Path> all = list();
        if (all.isEmpty()) return Optional.empty();
        return Optional.of(Checkpoints.load(all.get(all.size() - 1).toString(), fs.getConf()));
    }

    void save(ComputationGraph graph, ModelInfo info) { save(graph, info, -1); }

    /**
     * Saves a checkpoint and prunes older ones, except the one at {@code keepStep} (RL keeps its last good
     * policy for a rollback however far back it lies).
     */
    void save(ComputationGraph graph, ModelInfo info, long keepStep) {
        writeAtomically(graph, info, stepDir(info.step()));
        List<Path> all = list();
        for (int i = 0; i < all.size() - KEEP; i++) {
            if (!all.get(i).getName().equals(stepDir(keepStep).getName())) delete(all.get(i));
        }
    }

    /** The checkpoint saved at this step, if it is still there. */
    Optional<Checkpoints.Loaded> at(long step) {
        Path dir = stepDir(step);
        return exists(new Path(dir, Checkpoints.MODEL_ZIP)) ? Optional.of(Checkpoints.load(dir.toString(), fs.getConf())) : Optional.empty();
    }

    private Path stepDir(long step) { return new Path(checkpointsDir(), String.format("step-%06d", step)); }

    void saveFinal(ComputationGraph graph, ModelInfo info) { writeAtomically(graph, info, modelDir(), tokenizer); }

    private void writeAtomically(ComputationGraph graph, ModelInfo info, Path target) {
        writeAtomically(graph, info, target, null);
    }

    private void writeAtomically(ComputationGraph graph, ModelInfo info, Path target, Tokenizer withTokenizer) {
        Path tmp = new Path(target.getParent(), "." + target.getName() + "-" + UUID.randomUUID());
        Checkpoints.save(graph, info, tmp.toString(), fs.getConf());
        if (withTokenizer != null)
            Tokenizers.writeFiles(withTokenizer, new Path(tmp, Tokenizers.CHECKPOINT_DIR).toString(), fs.getConf());
        try {
            if (fs.exists(target)) fs.delete(target, true);
            if (!fs.rename(tmp, target)) throw new IOException("cannot rename " + tmp + " to " + target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Complete checkpoints, oldest first (hidden temporary folders are not checkpoints). */
    private List<Path> list() {
        List<Path> out = new ArrayList<>();
        try {
            if (!fs.exists(checkpointsDir())) return out;
            for (FileStatus s : fs.listStatus(checkpointsDir())) {
                if (s.isDirectory() && s.getPath().getName().startsWith("step-")) out.add(s.getPath());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort((a, b) -> a.getName().compareTo(b.getName()));
        return out;
    }

    private boolean exists(Path p) {
        try {
            return fs.exists(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void delete(Path p) {
        try {
            fs.delete(p, true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
