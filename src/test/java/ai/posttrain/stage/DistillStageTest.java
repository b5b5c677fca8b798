package ai.posttrain.stage;

import ai.posttrain.LocalSpark;
import ai.posttrain.cli.Main;
import ai.posttrain.config.PosttrainConfig;
import ai.posttrain.data.BuiltinData;
import ai.posttrain.data.BuiltinRecord;
import ai.posttrain.data.BuiltinSuite;
import ai.posttrain.data.Split;
import ai.posttrain.model.Checkpoints;
import ai.posttrain.model.LanguageModels;
import ai.posttrain.model.ModelConfig;
import ai.posttrain.model.ModelInfo;
import ai.posttrain.model.TransformerGraph;
import ai.posttrain.model.head.LmHeadOutputLayer;
import ai.posttrain.model.head.TokenLogProbs;
import ai.posttrain.tokenizer.ChatTemplate;
import ai.posttrain.tokenizer.RenderedChat;
import ai.posttrain.train.Minibatches;
import ai.posttrain.train.SftExample;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The distill stage on conf/quick.conf through the CLI (real Spark, real DL4J training, real Parquet),
 * with a small teacher trained here for a few steps so that the SFT stages are not needed.
 */
class DistillStageTest {
    private final SparkSession spark = LocalSpark.get();

    @TempDir
    static Path shared;
    static String teacherDir;
    static final int TEACHER_STEPS = 25;

    @BeforeAll
    static void trainATeacher() {
        LocalSpark.get();
        PosttrainConfig config = PosttrainConfig.load("conf/quick.conf", List.of());
        ChatTemplate chat = new ChatTemplate(StageContext.tokenizerFor(config));
        ModelConfig cfg = new ModelConfig(chat.tokenizer().vocabSize(), 64, 2, 2, 128, 640, ModelConfig.ROTARY, false);
        ComputationGraph teacher = LanguageModels.create(cfg, new LmHeadOutputLayer.Builder(), 3e-3, 1.0, 11);
        List<SftExample> examples = new ArrayList<>();
        for (BuiltinRecord r : new BuiltinData(config.seed(), 200, 20).generate(BuiltinSuite.MATH, Split.TRAIN, 64)) {
            RenderedChat c = chat.render(r.messages(), false);
            examples.add(new SftExample(r.id(), r.domain(), c.ids(), c.trained()));
        }
        examples.sort(Comparator.comparingInt(e -> e.tokens().length));
        for (int step = 0; step < TEACHER_STEPS; step++) {
            int from = (step * 8) % (examples.size() - 8);
            teacher.fit(Minibatches.sftBatch(examples.subList(from, from + 8)));
        }
        teacherDir = shared.resolve("teacher").toString();
        Checkpoints.save(teacher, new ModelInfo(cfg, chat.tokenizer().kind(), "test-teacher", TEACHER_STEPS, Map.of()), teacherDir);
    }

    static String[] args(String... more) {
        List<String> all = new ArrayList<>(List.of(more));
        all.addAll(List.of(SftStagesTest.QUICK));
        all.addAll(List.of("--set", "posttrain.stages.distill.teacher=\"" + teacherDir + "\""));
        return all.toArray(String[]::new);
    }

    static int cli(ByteArrayOutputStream out, ByteArrayOutputStream err, String... argv) throws Exception {
        return Main.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void mixedDistillationWritesTeacherTopkAndPairsAndTrainsBothObjectives(@TempDir Path dir) throws Exception {
        String run = dir.resolve("run").toString();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        long t0 = System.nanoTime();
        assertEquals(0, cli(new ByteArrayOutputStream(), err, args("stage", "distill", "--run", run,
                "--set", "posttrain.stages.distill.schedule=mixed", "--set", "posttrain.stages.distill.steps=8")), err.toString());
        double seconds = (System.nanoTime() - t0) / 1e9;
        String log = err.toString(StandardCharsets.UTF_8);
        // dpo.start = 0.5: kd rows alone first, then the pairs are mined with that student and trained beside kd rows.
        assertTrue(log.contains("[distill] kd: steps 0-4") && log.contains("[distill] mixed: steps 4-8"), log);
        assertTrue(seconds < 120, "quick distill took " + seconds + " s");

        // teacher_topk: k entries per response token, best first, equal to the teacher's own log-probs.
        List<Row> topk = spark.read().parquet(run + "/teacher_topk").collectAsList();
        assertFalse(topk.isEmpty());
        // The default kd selection (mostly math) decides which records the teacher scored.
        Map<String, Long> perDomain = topk.stream().map(r -> List.of(r.getString(r.fieldIndex("domain")),
                        r.getString(r.fieldIndex("example_id")))).distinct()
                .collect(java.util.stream.Collectors.groupingBy(d -> d.get(0), java.util.stream.Collectors.counting()));
        long math = perDomain.getOrDefault("math", 0L);
        assertTrue(perDomain.values().stream().allMatch(n -> n <= math) && math * 3 >= 48, "records per domain " + perDomain);
        for (Row r : topk) {
            List<Float> lp = r.getList(r.fieldIndex("top_logprobs"));
            assertEquals(8, r.getList(r.fieldIndex("top_ids")).size());
            assertEquals(8, lp.size());
            for (int j = 1; j < lp.size(); j++) assertTrue(lp.get(j) <= lp.get(j - 1));
        }
        checkAgainstTheTeacher(topk);

        // pairs: every chosen score beats its rejected score by at least the margin.
        List<Row> pairs = spark.read().parquet(run + "/pairs").collectAsList();
        assertFalse(pairs.isEmpty());
        double margin = PosttrainConfig.load("conf/quick.conf", List.of()).distill().dpo().margin();
        for (Row p : pairs) {
            double gap = p.getDouble(p.fieldIndex("chosen_score")) - p.getDouble(p.fieldIndex("rejected_score"));
            assertTrue(gap >= margin - 1e-12, "gap " + gap);
            assertNotEquals(p.getList(p.fieldIndex("chosen_tokens")), p.getList(p.fieldIndex("rejected_tokens")));
            assertEquals(5, p.getInt(p.fieldIndex("candidates")), "4 student samples and the teacher's answer");
        }
        // The teacher's greedy answer is among the candidates, and it is the chosen side of some pairs (the rejected
        // side never: it is the teacher's most likely answer, so only a verifier could rank it last).
        assertTrue(pairs.stream().anyMatch(p -> p.getBoolean(p.fieldIndex("chosen_is_teacher"))), "no pair chose the teacher's answer");

        // Training: the kd loss falls and the DPO implicit reward margin and accuracy rise on the probe pairs.
        List<Row> m = spark.read().parquet(run + "/metrics").where("stage = 'distill'").orderBy("step").collectAsList();
        assertEquals(8, m.size());
        Map<String, Double> first = m.get(4).getJavaMap(m.get(4).fieldIndex("extra"));   // the first mixed step
        Map<String, Double> last = m.get(7).getJavaMap(m.get(7).fieldIndex("extra"));
        Map<String, Double> start = m.get(0).getJavaMap(m.get(0).fieldIndex("extra"));
        assertTrue(last.get("kd_loss") < start.get("kd_loss"), start + " -> " + last);
        assertFalse(start.containsKey("dpo_margin"), "no pairs before dpo.start: " + start);
        assertTrue(last.get("dpo_margin") > first.get("dpo_margin"), first + " -> " + last);
        assertTrue(last.get("dpo_accuracy") >= first.get("dpo_accuracy"), first + " -> " + last);

        // The student is evaluated on the held-out suites, and `sql` sees both tables.
        assertTrue(spark.read().parquet(run + "/eval").where("stage = 'distill' and checkpoint = 'end'").count() > 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, cli(out, new ByteArrayOutputStream(), "sql",
                "select (select count(*) from teacher_topk) as topk, (select count(*) from pairs) as pairs", "--run", run,
                "--format", "json"));
        assertTrue(out.toString().contains("\"topk\":" + topk.size()), out.toString());
        assertTrue(out.toString().contains("\"pairs\":" + pairs.size()), out.toString());
    }

    @Test
    void onPolicyDistillationTrainsOnTheStudentsOwnSamplesScoredByTheTeacher(@TempDir Path dir) throws Exception {
        String run = dir.resolve("run").toString();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, cli(new ByteArrayOutputStream(), err, args("stage", "distill", "--run", run,
                "--set", "posttrain.stages.distill.schedule=on-policy", "--set", "posttrain.stages.distill.steps=6")), err.toString());
        String log = err.toString(StandardCharsets.UTF_8);
        // kd rows alone until dpo.start (0.5), then the student samples 4 completions for each of the 12 prompts.
        assertTrue(log.contains("[distill] kd: steps 0-3") && log.contains("[distill] on-policy: steps 3-6"), log);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("on-policy: (\\d+) student samples from (\\d+) prompts").matcher(log);
        assertTrue(m.find(), log);
        int samples = Integer.parseInt(m.group(1)), prompts = Integer.parseInt(m.group(2));
        assertEquals(12, prompts);
        assertTrue(samples > prompts && samples <= 4 * prompts, log);
        // No pairs: this schedule trains the samples with the kd objective; its probe rows are the student's samples.
        assertFalse(java.nio.file.Files.exists(dir.resolve("run/pairs")));
        List<Row> rows = spark.read().parquet(run + "/metrics").where("stage = 'distill'").orderBy("step").collectAsList();
        assertEquals(List.of("kd", "kd", "kd", "on-policy", "on-policy", "on-policy"),
                rows.stream().map(r -> r.getString(r.fieldIndex("phase"))).toList());
        for (Row r : rows) {
            Map<String, Double> extra = r.getJavaMap(r.fieldIndex("extra"));
            assertTrue(extra.get("kd_loss") > 0 && Double.isFinite(extra.get("kd_loss")), extra.toString());
            assertFalse(extra.containsKey("dpo_loss"), extra.toString());
        }
    }

    /** For one example, the stored top-k log-probs equal the teacher graph's log-probs of those ids. */
    private void checkAgainstTheTeacher(List<Row> topk) {
        String id = topk.get(0).getString(topk.get(0).fieldIndex("example_id"));
        List<Row> rows = topk.stream().filter(r -> r.getString(r.fieldIndex("example_id")).equals(id))
                .sorted(Comparator.comparingInt(r -> r.getInt(r.fieldIndex("position")))).toList();
        PosttrainConfig config = PosttrainConfig.load("conf/quick.conf", List.of());
        ChatTemplate chat = new ChatTemplate(StageContext.tokenizerFor(config));
        BuiltinData builtin = StageContext.builtinFor(config);
        BuiltinRecord record = null;
        for (BuiltinSuite suite : List.of(BuiltinSuite.MATH, BuiltinSuite.CODE, BuiltinSuite.STEM, BuiltinSuite.CONVERSATION,
                BuiltinSuite.AGENT, BuiltinSuite.REASONING)) {
            for (BuiltinRecord r : builtin.generate(suite, Split.TRAIN)) if (r.id().equals(id)) record = r;
        }
        assertNotNull(record, "example " + id + " is a builtin record");
        RenderedChat c = chat.render(record.messages(), false);
        List<Integer> trained = new ArrayList<>();
        for (int t = 0; t + 1 < c.ids().length; t++) if (c.trained()[t + 1]) trained.add(t);
        assertEquals(trained, rows.stream().map(r -> r.getInt(r.fieldIndex("position"))).toList(), "one row per response token");

        ComputationGraph teacher = Checkpoints.load(teacherDir).graph();
        int t = c.ids().length - 1;
        INDArray features = Minibatches.inputIds(List.of(c.ids()), t);
        INDArray mask = Minibatches.featureMask(List.of(c.ids()), t);
        for (int j = 0; j < 8; j++) {
            int[] targets = new int[t];
            java.util.Arrays.fill(targets, -1);
            for (Row r : rows) targets[r.getInt(r.fieldIndex("position"))] = r.<Integer>getList(r.fieldIndex("top_ids")).get(j);
            double[] own = TokenLogProbs.compute(teacher, TransformerGraph.HEAD, new INDArray[]{features},
                    new INDArray[]{mask}, new int[][]{targets})[0];
            for (Row r : rows) {
                int pos = r.getInt(r.fieldIndex("position"));
                assertEquals(c.ids()[pos + 1], r.getInt(r.fieldIndex("token")));
                assertEquals(own[pos], r.<Float>getList(r.fieldIndex("top_logprobs")).get(j), 1e-3, "position " + pos + ", entry " + j);
            }
        }
    }

    @Test
    void badDistillSettingsExitTwoNamingTheKey(@TempDir Path dir) throws Exception {
        String run = dir.resolve("run").toString();
        for (String[] bad : List.of(
                new String[]{"posttrain.stages.distill.schedule=foo", "posttrain.stages.distill.schedule"},
                new String[]{"posttrain.stages.distill.kd.top-k=0", "posttrain.stages.distill.kd.top-k"},
                new String[]{"posttrain.stages.distill.kd.difficulties=[0]", "posttrain.stages.distill.kd.difficulties"},
                // Odd minibatches cannot hold dpo pairs (kd alone, the default schedule, allows them).
                new String[]{"posttrain.stages.distill.schedule=mixed", "posttrain.stages.distill.train.batch-per-worker=7",
                        "posttrain.stages.distill.train.batch-per-worker"},
                new String[]{"posttrain.stages.distill.schedule=mixed", "posttrain.stages.distill.dpo.start=1",
                        "posttrain.stages.distill.dpo.start"},
                new String[]{"posttrain.stages.distill.teacher=\"" + dir.resolve("nothing") + "\"", "posttrain.stages.distill.teacher"})) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            List<String> argv = new ArrayList<>(List.of(args("stage", "distill", "--run", run)));
            // Settings last: they override the test teacher. The last element is the key the error must name.
            for (int i = 0; i < bad.length - 1; i++) argv.addAll(List.of("--set", bad[i]));
            String key = bad[bad.length - 1];
            assertEquals(2, cli(new ByteArrayOutputStream(), err, argv.toArray(String[]::new)), err.toString());
            String message = err.toString(StandardCharsets.UTF_8);
            assertTrue(message.lines().anyMatch(l -> l.startsWith("config error: " + key)), message);
            assertFalse(message.contains("\tat "), "no stack trace: " + message);
        }
        // No teacher named and no overall-sft model in the run (a new one: the run above recorded its teacher).
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> argv = new ArrayList<>(List.of("stage", "distill", "--run", dir.resolve("run2").toString()));
        argv.addAll(List.of(SftStagesTest.QUICK));
        assertEquals(2, cli(new ByteArrayOutputStream(), err, argv.toArray(String[]::new)), err.toString());
        assertTrue(err.toString().lines().anyMatch(l -> l.startsWith("config error: posttrain.stages.distill.teacher: empty")),
                err.toString());
    }
}
