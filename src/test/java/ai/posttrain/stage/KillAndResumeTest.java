package ai.posttrain.stage;

import ai.posttrain.LocalSpark;
import ai.posttrain.TestModels;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static ai.posttrain.stage.SftStagesTest.cli;
import static org.junit.jupiter.api.Assertions.*;

/**
 * kill -9 in the middle of long phases, twice per stage: RL during an iteration's policy update, then (in the
 * resumed run) while the next iteration's rollouts are scored; distillation during teacher top-k, then during
 * pair mining. The same command then completes the run, which must hold every row once and end with the tables
 * and the final model of an uninterrupted run with the same seed (training is deterministic; only wall-clock
 * values differ). Tiny settings: a random tiny policy/teacher, two RL iterations, four distillation steps.
 */
class KillAndResumeTest {
    private final SparkSession spark = LocalSpark.get();

    @TempDir
    static Path shared;
    static String teacher, rlReference, distillReference;

    /** RL: one chat sub-stage whose reward varies within groups (repetition of single tokens), so every iteration updates. */
    static final String RL_SUB_STAGE = "posttrain.stages.rl.sub-stages=[{ name = chat, inputs = [\"builtin:conversation\"], "
            + "heldout = [\"builtin:conversation:heldout\"], rewards { format = 1.0 }, iterations = 2, prompts-per-iteration = 4, "
            + "group-size = 4, epochs = 2, max-new-tokens = 12, overlong-buffer = 6, heldout-prompts = 2, repetition-ngram = 1, lr = 1e-2 }]";
    static final String[] SMALL_EVAL = {"--set", "posttrain.eval.suites=[\"builtin:math:heldout\"]", "--set", "posttrain.eval.per-suite=2",
            "--set", "posttrain.eval.max-new-tokens=8"};

    @BeforeAll
    static void referenceRuns() throws Exception {
        LocalSpark.get();
        teacher = TestModels.randomTeacher(shared);
        rlReference = TinyRlRun.run();   // shared with the notebook's SQL test
        distillReference = shared.resolve("distill-reference/run").toString();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, cli(err, distill(distillReference)), err.toString(StandardCharsets.UTF_8));
    }

    static String[] rl(String run) {
        return with(SftStagesTest.args("stage", "rl", "--run", run, "--set", "posttrain.stages.rl.init=\"" + TinyRlRun.policy() + "\"",
                "--set", RL_SUB_STAGE));
    }

    /** Sequential distillation: 2 kd steps (top-k over 24 records), then pairs from 4 prompts and 2 dpo steps; a checkpoint per step. */
    static String[] distill(String run) {
        return with(SftStagesTest.args("stage", "distill", "--run", run, "--set", "posttrain.stages.distill.teacher=\"" + teacher + "\"",
                "--set", "posttrain.stages.distill.schedule=sequential", "--set", "posttrain.stages.distill.steps=4",
                "--set", "posttrain.stages.distill.kd.max-records=24", "--set", "posttrain.stages.distill.dpo.max-prompts=4",
                "--set", "posttrain.stages.distill.dpo.max-new-tokens=12", "--set", "posttrain.stages.distill.train.checkpoint-every=1"));
    }

    /**
     * On-policy distillation (the default schedule): 3 kd steps, then the student's samples of 4 prompts join the kd
     * examples for 3 more steps; a checkpoint per step.
     */
    static String[] onPolicyDistill(String run) {
        List<String> argv = new ArrayList<>(List.of(distill(run)));
        argv.set(argv.indexOf("posttrain.stages.distill.schedule=sequential"), "posttrain.stages.distill.schedule=on-policy");
        argv.set(argv.indexOf("posttrain.stages.distill.steps=4"), "posttrain.stages.distill.steps=6");
        return argv.toArray(String[]::new);
    }

    /** The same with no kd steps first (dpo.start = 0): the student samples before its first step. */
    static String[] onPolicyDistillFromTheStart(String run) {
        List<String> argv = new ArrayList<>(List.of(onPolicyDistill(run)));
        argv.addAll(List.of("--set", "posttrain.stages.distill.dpo.start=0"));
        return argv.toArray(String[]::new);
    }

    private static String[] with(String[] argv) {
        List<String> all = new ArrayList<>(List.of(argv));
        all.addAll(List.of(SMALL_EVAL));
        return all.toArray(String[]::new);
    }

    /** One kill: where, and what the kill must have left on disk. */
    private record Kill(String point, java.util.function.Consumer<String> leftBehind) {}

    /**
     * Runs the command in a child JVM killed at the first point, runs it again (a resume) killed at the second,
     * then resumes it in this JVM to the end, and compares the run with the uninterrupted reference.
     */
    private void killTwiceResumeAndCompare(Path dir, String[] argv, String reference, String model, Kill... kills) throws Exception {
        String run = argv[java.util.Arrays.asList(argv).indexOf("--run") + 1];
        for (int i = 0; i < kills.length; i++) {
            KilledJvm.killAt(kills[i].point(), dir.resolve("killed-" + i + ".log"), argv);
            System.out.printf("kill at %s: rows after the kill %s%n", kills[i].point(), RunTablesComparison.rowCounts(spark, run));
            kills[i].leftBehind().accept(run);
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, cli(err, argv), err.toString(StandardCharsets.UTF_8));
        System.out.printf("resumed: rows %s, uninterrupted %s%n", RunTablesComparison.rowCounts(spark, run),
                RunTablesComparison.rowCounts(spark, reference));
        RunTablesComparison.assertSameTables(spark, reference, run);
        RunTablesComparison.assertSameModel(reference + "/" + model, run + "/" + model);
    }

    /** An uninterrupted reference run of these distillation settings in dir, then the killed and resumed run beside it. */
    private void distillFromReferenceKillAndCompare(Path dir, java.util.function.Function<String, String[]> argv, Kill... kills)
            throws Exception {
        String reference = dir.resolve("reference").toString();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, cli(err, argv.apply(reference)), err.toString(StandardCharsets.UTF_8));
        killTwiceResumeAndCompare(dir, argv.apply(dir.resolve("run").toString()), reference, "distill/model", kills);
    }

    private long rows(String run, String table, String where) {
        return Files.isDirectory(Path.of(run, table)) ? spark.read().parquet(run + "/" + table).where(where).count() : 0;
    }

    /** Arrivals at the scorer before the reference's second iteration: the held-out start decodes and the first iteration's samples. */
    private int scoredBeforeSecondIteration() {
        return (int) (rows(rlReference, "rollouts", "iteration = 0") + 2);
    }

    @Test
    void rlKilledDuringAnUpdateThenWhileScoringResumesToTheUninterruptedResult(@TempDir Path dir) throws Exception {
        String run = dir.resolve("run").toString();
        killTwiceResumeAndCompare(dir, rl(run), rlReference, "rl/model",
                new Kill("rl-update@1", r -> {
                    assertEquals(16, rows(r, "rollouts", "iteration = 0"), "iteration 1's rollouts were written before its update");
                    assertFalse(Files.exists(Path.of(r, "rl/chat/checkpoints/step-000001")), "killed before iteration 1's checkpoint");
                }),
                new Kill("rl-scoring@" + (scoredBeforeSecondIteration() + 3), r -> {
                    assertEquals(16, rows(r, "rollouts", "iteration = 0"), "iteration 1 redone once, not twice");
                    assertEquals(0, rows(r, "rollouts", "iteration = 1"), "killed before iteration 2's rollouts were written");
                    assertEquals(1, rows(r, "metrics", "stage = 'rl'"), "iteration 1's metrics row, once");
                }));
    }

    @Test
    void distillKilledDuringTeacherTopKThenDuringPairMiningResumesToTheUninterruptedResult(@TempDir Path dir) throws Exception {
        String run = dir.resolve("run").toString();
        killTwiceResumeAndCompare(dir, distill(run), distillReference, "distill/model",
                new Kill("distill-topk@2", r -> assertEquals(0, rows(r, "metrics", "stage = 'distill'"), "no step trained before the kill")),
                new Kill("distill-pairs@2", r -> {
                    assertEquals(2, rows(r, "metrics", "stage = 'distill'"), "the kd steps were done");
                    assertEquals(0, rows(r, "pairs", "true"), "no pairs written yet");
                    assertEquals(rows(distillReference, "teacher_topk", "true"), rows(r, "teacher_topk", "true"), "top-k rows once each");
                }));
    }

    /** Killed two steps after the student sampled: the resume samples again, with the student of step 3, not of step 5. */
    @Test
    void onPolicyDistillKilledAfterItsOnPolicyStepsBeganResumesToTheUninterruptedResult(@TempDir Path dir) throws Exception {
        distillFromReferenceKillAndCompare(dir, KillAndResumeTest::onPolicyDistill,
                new Kill("distill-step@5", r -> {
                    assertEquals(5, rows(r, "metrics", "stage = 'distill'"), "three kd and two on-policy steps done");
                    assertTrue(Files.exists(Path.of(r, "distill/checkpoints/step-000003")), "the sampling student's checkpoint is kept");
                    assertFalse(Files.exists(Path.of(r, "distill/checkpoints/step-000002")), "older ones are pruned");
                }));
    }

    /** dpo.start = 0: the student that sampled is the starting one, kept as the checkpoint of step 0. */
    @Test
    void onPolicyDistillFromTheStartKilledAfterTwoStepsResumesToTheUninterruptedResult(@TempDir Path dir) throws Exception {
        distillFromReferenceKillAndCompare(dir, KillAndResumeTest::onPolicyDistillFromTheStart,
                new Kill("distill-step@2", r -> assertTrue(Files.exists(Path.of(r, "distill/checkpoints/step-000000")),
                        "the sampling student's checkpoint")));
    }
}
