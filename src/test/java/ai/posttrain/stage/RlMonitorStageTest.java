package ai.posttrain.stage;

import ai.posttrain.LocalSpark;
import ai.posttrain.config.PosttrainConfig;
import ai.posttrain.model.Checkpoints;
import ai.posttrain.model.ModelInfo;
import ai.posttrain.reward.RewardMix;
import ai.posttrain.run.RunDir;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static ai.posttrain.stage.SftStagesTest.args;
import static ai.posttrain.stage.SftStagesTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hacking monitor acting on a real RL sub-stage (tiny policy, real Spark, through the CLI): the KL bound is
 * set so low that the policy leaves it after its first update, and the sub-stage stops and rolls back.
 */
class RlMonitorStageTest {
    private final SparkSession spark = LocalSpark.get();

    /**
     * One math sub-stage: a random tiny policy never answers right, so its rewards differ only through a
     * repetition penalty on single tokens, which is enough to move it (lr 1e-2) out of a 1e-3 KL bound.
     */
    private static List<String> stage(String run, String init, String onHacking) {
        return new ArrayList<>(List.of(args("stage", "rl", "--run", run,
                "--set", "posttrain.stages.rl.init=\"" + init + "\"",
                "--set", "posttrain.stages.rl.sub-stages=[{ name = \"hack\", inputs = [\"builtin:math\"], heldout = [\"builtin:math:heldout\"], "
                        + "rewards { math = 1.0, format = 0.2 }, iterations = 4, prompts-per-iteration = 2, group-size = 4, "
                        + "heldout-prompts = 2, max-new-tokens = 16, overlong-buffer = 0, repetition-ngram = 1, "
                        + "repetition-penalty = 1.0, lr = 1e-2, kl-bound = 1e-3 }]",
                "--set", "posttrain.stages.rl.monitor.patience=2",
                "--set", "posttrain.stages.rl.monitor.on-hacking=" + onHacking)));
    }

    @Test
    void aKlBoundHeldForPatienceIterationsStopsTheSubStageAndRollsBackToTheLastGoodPolicy(@TempDir Path dir) throws Exception {
        long t0 = System.nanoTime();
        String init = RlStageTest.tinyPolicy(dir), run = dir.resolve("run").toString();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, cli(err, stage(run, init, "rollback").toArray(String[]::new)), err.toString(StandardCharsets.UTF_8));
        String log = err.toString(StandardCharsets.UTF_8);
        System.out.println(log);
        System.out.printf("monitor rollback run: %.0fs%n", (System.nanoTime() - t0) / 1e9);

        // The event: a metrics row at the iteration where it fired, and a console line.
        List<Row> events = spark.read().parquet(run + "/metrics").where("stage = 'rl' and phase = 'hack:monitor'").collectAsList();
        assertEquals(1, events.size(), log);
        Map<String, Double> e = events.get(0).getJavaMap(events.get(0).fieldIndex("extra"));
        assertEquals(1.0, e.get("monitor_fired"));
        assertEquals(1.0, e.get("monitor_action_rollback"));
        assertEquals(1.0, e.get("monitor_kl_over_bound"));
        assertEquals(2.0, e.get("streak"));
        int fired = events.get(0).getInt(events.get(0).fieldIndex("step"));
        int good = e.get("good_iteration").intValue();
        assertEquals(fired - 2, good, "the policy of the iteration before the signal began");
        assertTrue(log.contains("HACKING MONITOR fired at iteration " + (fired + 1) + "/4: kl_over_bound held for 2 iterations"), log);
        // The sub-stage stopped: no iteration after the one that fired, whose update was skipped.
        List<Row> iterations = spark.read().parquet(run + "/metrics").where("stage = 'rl' and phase = 'hack'").orderBy("step").collectAsList();
        assertEquals(fired + 1, iterations.size());
        assertEquals(0.0, iterations.get(fired).<String, Double>getJavaMap(iterations.get(fired).fieldIndex("extra")).get("update_steps"));
        assertFalse(log.contains("hack iteration " + (fired + 2) + "/4"), log);

        // The sub-stage's final model (and the stage's) is the last good policy, not the one that drifted.
        ComputationGraph kept = Checkpoints.load(run + "/rl/hack/model").graph();
        ComputationGraph expected = good == 0 ? Checkpoints.load(run + "/rl/hack/reference/model").graph()
                : Checkpoints.load(String.format("%s/rl/hack/checkpoints/step-%06d", run, good)).graph();
        ComputationGraph drifted = Checkpoints.load(String.format("%s/rl/hack/checkpoints/step-%06d", run, fired)).graph();
        assertEquals(expected.params(), kept.params());
        assertFalse(drifted.params().equals(kept.params()), "the updates moved the policy, so a rollback is visible");
        assertEquals(kept.params(), Checkpoints.load(run + "/rl/model").graph().params());
        assertEquals(1, spark.read().parquet(run + "/eval").where("checkpoint = 'hack:end' and metric = 'kl'").count());

        // The report marks the event on the RL plots and lists it.
        ByteArrayOutputStream reportErr = new ByteArrayOutputStream();
        assertEquals(0, cli(reportErr, args("report", "--run", run)), reportErr.toString(StandardCharsets.UTF_8));
        String html = Files.readString(dir.resolve("run/report/index.html"));
        assertTrue(html.contains("Hacking monitor events"), html);
        assertTrue(html.contains("<td>hack</td><td class=\"num\">" + fired + "</td><td>rollback</td><td>kl_over_bound</td>"), html);
    }

    @Test
    void onHackingFailStopsTheStageWithOneLine(@TempDir Path dir) throws Exception {
        String init = RlStageTest.tinyPolicy(dir), run = dir.resolve("run").toString();
        List<String> argv = stage(run, init, "fail");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(1, cli(err, argv.toArray(String[]::new)), err.toString(StandardCharsets.UTF_8));
        String log = err.toString(StandardCharsets.UTF_8);
        assertTrue(log.matches("(?s).*\nerror: rl sub-stage hack stopped by the hacking monitor at iteration \\d/4: kl_over_bound "
                + "held for 2 iterations \\(posttrain.stages.rl.monitor.on-hacking = fail; [^\n]*\\)\n.*"), log);
        assertFalse(log.contains("\tat "), "no stack trace");
        assertEquals(1, spark.read().parquet(run + "/metrics").where("phase = 'hack:monitor' and extra['monitor_action_fail'] = 1").count());
        assertFalse(Files.exists(dir.resolve("run/rl/hack/model/model.zip")));
    }

    @Test
    void aRollbackTargetSurvivesCheckpointPruning(@TempDir Path dir) {
        RunDir run = RunDir.open(dir.resolve("run").toString(), LocalSpark.config(), spark.sparkContext().hadoopConfiguration());
        ComputationGraph g = Checkpoints.load(RlStageTest.tinyPolicy(dir)).graph();
        StageCheckpoints checkpoints = new StageCheckpoints(run, "rl/x");
        ModelInfo base = Checkpoints.load(dir.resolve("init").toString()).info();
        for (int step = 1; step <= 5; step++)
            checkpoints.save(g, new ModelInfo(base.config(), "byte", "rl", step, Map.of()), 2);
        assertTrue(checkpoints.at(2).isPresent(), "kept for a rollback");
        assertTrue(checkpoints.at(1).isEmpty() && checkpoints.at(3).isEmpty(), "pruned");
        assertTrue(checkpoints.at(4).isPresent() && checkpoints.at(5).isPresent(), "the latest two");
    }

    /** proxy_up_verifier_down needs a proxy and a verifier in the same mix: the default code sub-stage has both. */
    @Test
    void theDefaultCodeSubStageWatchesItsFormatPayAgainstItsVerifier() {
        var code = PosttrainConfig.load(null, List.of()).rl().subStages().stream().filter(s -> s.name().equals("code")).findFirst().orElseThrow();
        assertTrue(code.rewards().keySet().stream().anyMatch(RlStage.Stats.PROXIES::contains), code.rewards().toString());
        assertTrue(code.rewards().containsKey(RewardMix.verifierFor("code")), code.rewards().toString());
    }
}
