package ai.posttrain.stage;

import ai.posttrain.LocalSpark;
import ai.posttrain.config.PosttrainConfig;
import ai.posttrain.data.BuiltinData;
import ai.posttrain.data.BuiltinRecord;
import ai.posttrain.data.BuiltinSuite;
import ai.posttrain.data.Split;
import ai.posttrain.model.Checkpoints;
import ai.posttrain.model.LanguageModels;
import ai.posttrain.model.ModelConfig;
import ai.posttrain.model.ModelInfo;
import ai.posttrain.model.head.LmHeadOutputLayer;
import ai.posttrain.rollout.RolloutSchema;
import ai.posttrain.tokenizer.Tokenizers;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static ai.posttrain.stage.SftStagesTest.args;
import static ai.posttrain.stage.SftStagesTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The RL stage on conf/quick.conf from a tiny init checkpoint, through the CLI and real Spark. */
class RlStageTest {
    private final SparkSession spark = LocalSpark.get();

    /** A fresh quick-sized student saved as a checkpoint (what distill would hand over). */
    static String tinyPolicy(Path dir) {
        PosttrainConfig config = PosttrainConfig.load("conf/quick.conf", List.of());
        var m = config.student();
        ModelConfig arch = new ModelConfig(Tokenizers.create("byte", "").vocabSize(), m.dModel(), m.layers(), m.heads(),
                m.dFf(), m.maxSeqLen(), m.positions(), m.tiedEmbeddings());
        var graph = LanguageModels.create(arch, new LmHeadOutputLayer.Builder(), 1e-3, 1.0, 7);
        String out = dir.resolve("init").toString();
        Checkpoints.save(graph, new ModelInfo(arch, "byte", "test", 0, Map.of()), out);
        return out;
    }

    @Test
    void quickRunResumesAfterAFailureWritesRolloutsMetricsAndEvalAndSkipsWhenComplete(@TempDir Path dir) throws Exception {
        String run = dir.resolve("run").toString();
        String[] stage = args("stage", "rl", "--run", run, "--set", "posttrain.stages.rl.init=\"" + tinyPolicy(dir) + "\"");
        long t0 = System.nanoTime();

        // First attempt: the reward model's input is missing, so the run fails when `preference` needs it,
        // after `stem` and `code` are complete.
        ByteArrayOutputStream failed = new ByteArrayOutputStream();
        List<String> broken = new java.util.ArrayList<>(List.of(stage));
        broken.addAll(List.of("--set", "posttrain.stages.rl.reward-model.inputs=[\"" + dir.resolve("missing.jsonl") + "\"]"));
        assertTrue(cli(failed, broken.toArray(String[]::new)) != 0, failed.toString());
        assertTrue(failed.toString().contains("missing.jsonl"), failed.toString());
        assertTrue(Files.isRegularFile(dir.resolve("run/rl/code/model/model.zip")), "code finished before the failure");

        // The rerun, with the input fixed (a change of a setting that affects results, so it must be said
        // explicitly), skips the finished sub-stages and completes the stage.
        List<String> fixed = new java.util.ArrayList<>(List.of(stage));
        fixed.addAll(List.of("--set", "posttrain.stages.rl.reward-model.inputs=[\"builtin:preference\"]", "--allow-config-change"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, cli(err, fixed.toArray(String[]::new)), err.toString(StandardCharsets.UTF_8));
        String log = err.toString(StandardCharsets.UTF_8);
        System.out.println(failed.toString(StandardCharsets.UTF_8) + log);
        System.out.printf("rl quick stage: %.0fs%n", (System.nanoTime() - t0) / 1e9);
        assertTrue(log.contains("[rl] sub-stage stem complete: skipped"), log);
        assertTrue(log.contains("[rl] sub-stage code complete: skipped"), log);
        assertFalse(log.contains("[rl] stem iteration"), log);
        assertTrue(log.contains("[rl] preference iteration 2/2"), log);
        assertTrue(failed.toString().contains("[rl] stem iteration 2/2"), failed.toString());
        assertTrue(log.contains("tok/s sampling") || log.contains("sampling"), log);

        // Rollouts: one partition per (sub-stage, global iteration), G rows per prompt, the shared schema.
        Dataset<Row> rollouts = spark.read().parquet(run + "/" + RolloutSchema.TABLE);
        for (String c : RolloutSchema.SCHEMA.fieldNames()) assertTrue(List.of(rollouts.columns()).contains(c), c);
        assertTrue(Files.isDirectory(dir.resolve("run/rollouts/sub_stage=stem/iteration=0")));
        assertTrue(Files.isDirectory(dir.resolve("run/rollouts/sub_stage=code/iteration=2")));
        assertTrue(Files.isDirectory(dir.resolve("run/rollouts/sub_stage=preference/iteration=4")));
        assertEquals(2 * 4 * 4 + 2 * 4 + 2 * 4 * 4, rollouts.count());
        assertEquals(0, rollouts.where("size(token_ids) != length or size(logprobs) != length or size(ref_logprobs) != length").count());
        assertEquals(0, rollouts.where("sub_stage = 'preference' and rm_score is null").count(), "the reward model scored every preference sample");
        assertTrue(rollouts.where("sub_stage = 'stem' and verifier_correct is not null").count() > 0);
        // preference revisits (revisit 0.25 of 4 prompts): iteration 1 one of stem's prompts, iteration 2 one of code's, each
        // paid by its own verifier and not by the reward model, which pays the chat replies.
        assertTrue(log.contains("(1 of them revisiting [stem, code])"), log);
        List<Row> revisited = rollouts.where("sub_stage = 'preference' and domain != 'chat'")
                .select("domain", "verifier_correct", "reward_components").collectAsList();
        assertEquals(2 * 4, revisited.size());
        assertTrue(revisited.stream().anyMatch(r -> r.getString(0).equals("code")), revisited.toString());
        assertTrue(revisited.stream().anyMatch(r -> List.of("math", "stem").contains(r.getString(0))), revisited.toString());
        for (Row r : revisited) {
            assertFalse(r.isNullAt(1), "verified: " + r);
            assertFalse(r.getJavaMap(2).containsKey("reward_model"), "the reward model paid a verified answer: " + r);
        }
        assertEquals(0, rollouts.where("sub_stage = 'preference' and domain = 'chat' and reward_components['reward_model'] is null").count());
        // quick.conf's stem sub-stage takes difficulty-1 prompts only; code takes every level.
        PosttrainConfig quick = PosttrainConfig.load("conf/quick.conf", List.of());
        BuiltinData builtin = new BuiltinData(quick.seed(), quick.data().builtinTrainPerSuite(), quick.data().builtinHeldoutPerSuite());
        Map<String, Integer> levels = new java.util.HashMap<>();
        for (BuiltinSuite suite : List.of(BuiltinSuite.MATH, BuiltinSuite.STEM))
            for (BuiltinRecord r : builtin.generate(suite, Split.TRAIN)) levels.put(r.id(), r.difficulty());
        // Every domain's held-out suites after each sub-stage but the last, whose model the stage's own evaluation scores.
        Dataset<Row> eval = spark.read().parquet(run + "/eval");
        for (String sub : List.of("stem", "code"))
            assertEquals(quick.eval().suites().size(), eval.where("stage = 'rl/" + sub + "' and checkpoint = 'end'")
                    .select("suite").distinct().count(), sub);
        assertEquals(0, eval.where("stage = 'rl/preference'").count());
        assertTrue(failed.toString().contains("[rl] replay: "), "SFT replay is on by default");
        int n = ai.posttrain.reward.Canaries.builtin().size();
        assertTrue(failed.toString().contains("[rl] code: canaries " + n + "/" + n + " contained"), "canaries scored in the code sub-stage");
        List<Row> stemPrompts = rollouts.where("sub_stage = 'stem'").select("prompt_id").distinct().collectAsList();
        assertEquals(8, stemPrompts.size());
        for (Row r : stemPrompts) assertEquals(1, levels.get(r.getString(0)), r.getString(0));
        // quick.conf's stem mixture (math 3, stem 1): every iteration's 4 prompts are 3 math and 1 STEM, though the
        // difficulty-1 inputs hold more STEM prompts than math ones.
        assertTrue(failed.toString().contains("drawn by domain {math=3.0, stem=1.0}"), failed.toString());
        for (int it = 0; it < 2; it++) {
            Dataset<Row> iteration = rollouts.where("sub_stage = 'stem' and iteration = " + it);
            assertEquals(3, iteration.where("domain = 'math'").select("prompt_id").distinct().count(), "iteration " + it);
            assertEquals(1, iteration.where("domain = 'stem'").select("prompt_id").distinct().count(), "iteration " + it);
        }

        // Metrics: one row per iteration with the RL values; the reward model's training steps too.
        List<Row> metrics = spark.read().parquet(run + "/metrics").where("stage = 'rl'").orderBy("step").collectAsList();
        assertEquals(5, metrics.size());
        Map<String, Double> extra = metrics.get(0).getJavaMap(metrics.get(0).fieldIndex("extra"));
        for (String k : List.of("reward_mean", "length_mean", "kl", "flagged_rate", "dropped_groups", "rollout_tokens_per_s",
                "monitor_length_blowup", "monitor_proxy_up_verifier_down"))
            assertTrue(extra.containsKey(k), k + " in " + extra);
        assertTrue(extra.get("rollout_tokens_per_s") > 0);
        Map<String, Double> codeExtra = metrics.get(2).getJavaMap(metrics.get(2).fieldIndex("extra"));
        assertEquals(ai.posttrain.reward.Canaries.builtin().size(), codeExtra.get("canaries"), 0.0, "iteration 3 is code's: " + codeExtra);
        assertFalse(extra.containsKey("canaries"), "stem has no code reward: no canaries");
        assertEquals(3, spark.read().parquet(run + "/metrics").where("stage = 'rl:reward-model'").count());
        assertTrue(spark.read().parquet(run + "/eval").where("stage = 'rl' and checkpoint = 'preference:end' and metric = 'rm_score'").count() == 1);
        assertTrue(Files.isRegularFile(dir.resolve("run/rl/model/model.zip")));

        // The query from the issue, through the CLI.
        ByteArrayOutputStream out = new ByteArrayOutputStream(), sqlErr = new ByteArrayOutputStream();
        int rc = ai.posttrain.cli.Main.run(new String[]{"sql",
                        "select iteration, avg(reward), avg(length) from rollouts group by iteration order by iteration", "--run", run},
                new java.io.PrintStream(out, true, StandardCharsets.UTF_8), new java.io.PrintStream(sqlErr, true, StandardCharsets.UTF_8));
        assertEquals(0, rc, sqlErr.toString());
        String table = out.toString(StandardCharsets.UTF_8);
        System.out.println(table);
        for (int i = 0; i < 5; i++) assertTrue(table.matches("(?s).*\\b" + i + "\\b.*"), table);

        // Every SQL cell of the rollout-analysis notebook runs on this real RL run's tables and returns its
        // columns (NotebookSqlTest pins the values on hand-built rollouts).
        ai.posttrain.run.RunDir runDir = ai.posttrain.run.RunDir.open(run, ai.posttrain.LocalSpark.config(),
                spark.sparkContext().hadoopConfiguration());
        for (String t : runDir.tables()) spark.read().parquet(runDir.tablePath(t).toString()).createOrReplaceTempView(t);
        List<String> mustHaveRows = List.of("loss_by_step", "eval_by_stage", "reward_by_iteration", "reward_components",
                "worst_completions", "hacking_monitor", "stage_extra_metrics");
        List<ai.posttrain.report.NotebookSqlCells.Cell> cells = ai.posttrain.report.NotebookSqlCells.parse(
                Files.readString(ai.posttrain.report.NotebookSqlTest.NOTEBOOK));
        assertEquals(ai.posttrain.report.NotebookSqlTest.COLUMNS.keySet(),
                cells.stream().map(ai.posttrain.report.NotebookSqlCells.Cell::name).collect(java.util.stream.Collectors.toSet()));
        for (ai.posttrain.report.NotebookSqlCells.Cell cell : cells) {
            Dataset<Row> result = spark.sql(cell.sql());
            assertEquals(ai.posttrain.report.NotebookSqlTest.COLUMNS.get(cell.name()), List.of(result.columns()), cell.name());
            if (mustHaveRows.contains(cell.name())) assertFalse(result.isEmpty(), cell.name() + " on a real RL run");
        }

        // A rerun finds the stage complete and writes nothing twice.
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        assertEquals(0, cli(again, stage), again.toString());
        assertTrue(again.toString().contains("[rl] complete in"), again.toString());
        assertEquals(2 * 4 * 4 + 2 * 4 + 2 * 4 * 4, spark.read().parquet(run + "/" + RolloutSchema.TABLE).count());
        assertFalse(again.toString().contains("iteration 1/2"));
    }

    /** A reference answer cut by max-new-tokens, or inside the overlong penalty, would make RL punish being right. */
    @Test
    void everyDefaultSubStageHasRoomForItsDifficultyOneReferenceAnswers() {
        PosttrainConfig defaults = PosttrainConfig.load(null, List.of());
        BuiltinData builtin = new BuiltinData(defaults.seed(), 300, 0);
        var tokenizer = Tokenizers.create("byte", "");
        for (var sub : defaults.rl().subStages()) {
            if (sub.usesRewardModel()) continue;   // free-form chat: no reference answer to fit
            int room = sub.maxNewTokens() - sub.overlongBuffer();
            for (String input : sub.inputs()) {
                BuiltinSuite suite = BuiltinSuite.valueOf(input.substring("builtin:".length()).toUpperCase(java.util.Locale.ROOT));
                int longest = 0;
                for (BuiltinRecord r : builtin.generate(suite, Split.TRAIN)) {
                    if (!sub.difficulties().isEmpty() && !sub.difficulties().contains(r.difficulty())) continue;
                    String answer = r.messages().get(r.messages().size() - 1).content();
                    longest = Math.max(longest, tokenizer.encode(answer).length + 1);   // + the end-of-turn token
                }
                assertTrue(longest > 0, sub.name() + " has " + input + " prompts");
                assertTrue(longest <= room, sub.name() + ": a " + input + " answer takes " + longest
                        + " tokens, the room before the overlong penalty is " + room);
            }
        }
    }

    @Test
    void anUnknownRewardComponentIsAConfigErrorNamingTheKey() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = cli(err, args("stage", "rl", "--set", "posttrain.stages.rl.sub-stages=[{name=x, rewards={bogus=1}}]"));
        assertEquals(2, rc, err.toString());
        assertTrue(err.toString().contains("posttrain.stages.rl.sub-stages[0].rewards.bogus"), err.toString());
        assertFalse(err.toString().contains("\tat "), "no stack trace");
    }

    @Test
    void aMixtureDomainWithoutPromptsIsAnErrorNamingTheKey(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = cli(err, args("stage", "rl", "--run", dir.resolve("run").toString(),
                "--set", "posttrain.stages.rl.init=\"" + tinyPolicy(dir) + "\"",
                "--set", "posttrain.stages.rl.sub-stages=[{name=x, inputs=[\"builtin:math\"], rewards={math=1}, mixture={math=1, code=1}}]"));
        assertEquals(2, rc, err.toString());
        assertTrue(err.toString().contains("posttrain.stages.rl.sub-stages[0].mixture.code: no prompts of domain 'code'"), err.toString());
        assertTrue(err.toString().contains("(their domains: [math])"), err.toString());
        assertFalse(err.toString().contains("\tat "), "no stack trace");
    }

    @Test
    void aDifficultyBelowOneIsAConfigErrorNamingWhereItWasSet() throws Exception {
        ByteArrayOutputStream own = new ByteArrayOutputStream(), inherited = new ByteArrayOutputStream();
        assertEquals(2, cli(own, args("stage", "rl", "--set", "posttrain.stages.rl.sub-stages=[{name=x, difficulties=[1, 0]}]")));
        assertTrue(own.toString().contains("posttrain.stages.rl.sub-stages[0].difficulties"), own.toString());
        assertEquals(2, cli(inherited, args("stage", "rl", "--set", "posttrain.stages.rl.sub-stage-defaults.difficulties=[0]")));
        assertTrue(inherited.toString().contains("posttrain.stages.rl.sub-stage-defaults.difficulties"), inherited.toString());
        assertTrue(inherited.toString().contains("levels start at 1"), inherited.toString());
    }
}
