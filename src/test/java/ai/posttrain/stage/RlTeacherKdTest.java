package ai.posttrain.stage;

import ai.posttrain.LocalSpark;
import ai.posttrain.model.Checkpoints;
import ai.posttrain.model.TransformerGraph;
import ai.posttrain.tokenizer.ChatTemplate;
import ai.posttrain.tokenizer.Tokenizers;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static ai.posttrain.stage.SftStagesTest.args;
import static ai.posttrain.stage.SftStagesTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On-policy distillation inside RL (posttrain.stages.rl.teacher-kd) through the real stage: the reward here cannot
 * tell any two samples apart (chat prompts, a math-only mix, no penalties: every group is equal, so no row carries an
 * advantage), yet the teacher's top-k on the policy's own rollouts moves the policy to the teacher. The teacher is
 * the tiny random policy with its end-of-turn logit raised, so it ends every reply at once: learning shows as greedy
 * held-out replies that stop early. Without teacher-kd the same run trains nothing.
 */
class RlTeacherKdTest {
    private final SparkSession spark = LocalSpark.get();

    private static final String SUB_STAGE = "posttrain.stages.rl.sub-stages=[{ name = chat, inputs = [\"builtin:conversation\"], "
            + "heldout = [\"builtin:conversation:heldout\"], rewards { math = 1.0 }, overlong-penalty = 0, repetition-penalty = 0, "
            + "iterations = 3, prompts-per-iteration = 8, group-size = 8, epochs = 1, max-new-tokens = 16, heldout-prompts = 8, "
            + "kl-coef = 0, lr = 1e-2 }]";

    /** The tiny policy with a +8 bias on the end-of-turn token: it ends every reply at once. */
    private static String stoppingTeacher(Path dir, String init) {
        Checkpoints.Loaded policy = Checkpoints.load(init);
        ComputationGraph teacher = policy.graph();
        int stop = ChatTemplate.of(Tokenizers.create("byte", "")).stopIds().get(0);
        var bias = teacher.getLayer(TransformerGraph.HEAD).getParam("b");
        bias.putScalar(stop, bias.getDouble(stop) + 8);
        String out = dir.resolve("teacher").toString();
        Checkpoints.save(teacher, policy.info(), out);
        return out;
    }

    /** Held-out mean reply length (start, end) of one RL run. */
    private double[] heldOutLength(Path dir, String init, String teacher, double fraction) throws Exception {
        String run = dir.resolve("run").toString();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, cli(err, args("stage", "rl", "--run", run, "--set", "posttrain.stages.rl.init=\"" + init + "\"",
                "--set", SUB_STAGE, "--set", "posttrain.stages.rl.train.batch-per-worker=16",
                "--set", "posttrain.stages.rl.replay.fraction=0",
                "--set", "posttrain.stages.rl.teacher-kd.teacher=\"" + teacher + "\"",
                "--set", "posttrain.stages.rl.teacher-kd.fraction=" + fraction,
                "--set", "posttrain.eval.suites=[\"builtin:conversation:heldout\"]", "--set", "posttrain.eval.per-suite=2",
                "--set", "posttrain.eval.max-new-tokens=8")), err.toString(StandardCharsets.UTF_8));
        double[] out = new double[2];
        for (Row r : spark.read().parquet(run + "/eval").where("stage = 'rl' and metric = 'length_mean'").collectAsList())
            out[r.getString(r.fieldIndex("checkpoint")).endsWith(":start") ? 0 : 1] = r.getDouble(r.fieldIndex("value"));
        long pgRows = spark.read().parquet(run + "/rollouts").where("advantage is not null").count();
        assertEquals(0, pgRows, "the reward gives no group an advantage");
        return out;
    }

    @Test
    void theTeachersTopKOnThePolicysOwnRolloutsTeachesWhereNoRewardDiffers(@TempDir Path dir) throws Exception {
        String init = RlStageTest.tinyPolicy(dir);
        String teacher = stoppingTeacher(dir, init);
        long t0 = System.nanoTime();
        double[] taught = heldOutLength(dir.resolve("taught"), init, teacher, 1.0);
        double[] control = heldOutLength(dir.resolve("control"), init, teacher, 0.0);
        System.out.printf("rl teacher-kd: held-out reply length %.1f -> %.1f with the teacher's top-k, %.1f -> %.1f without (%.0fs)%n",
                taught[0], taught[1], control[0], control[1], (System.nanoTime() - t0) / 1e9);
        assertEquals(taught[0], control[0], 1e-12, "same start, same seed");
        assertEquals(control[0], control[1], 1e-12, "without teacher-kd no row is trained");
        assertTrue(taught[1] < taught[0] / 2, "held-out replies " + taught[0] + " -> " + taught[1] + " tokens with a teacher that stops at once");
    }
}
