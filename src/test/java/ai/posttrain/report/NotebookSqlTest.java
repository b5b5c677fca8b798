package ai.posttrain.report;

import ai.posttrain.LocalSpark;
import ai.posttrain.run.RunDir;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every SQL cell of notebooks/rollout_analysis.ipynb runs against a real run's tables, so the notebook
 * cannot drift from the schemas: once on a real quick SFT run with hand-built {@code rollouts} ({@link TestRollouts},
 * whose values the checks pin), and once on a real tiny RL run ({@link ai.posttrain.stage.TinyRlRun}).
 */
public class NotebookSqlTest {
    public static final Path NOTEBOOK = Path.of("notebooks/rollout_analysis.ipynb");

    /** The columns each query must return, in order. */
    public static final Map<String, List<String>> COLUMNS = new LinkedHashMap<>();

    static {
        COLUMNS.put("loss_by_step", List.of("stage", "phase", "step", "loss", "lr", "tokens_per_s"));
        COLUMNS.put("eval_by_stage", List.of("stage", "checkpoint", "suite", "metric", "value", "n"));
        COLUMNS.put("reward_by_iteration", List.of("sub_stage", "iteration", "rollouts", "mean_reward", "std_reward",
                "verifier_accuracy", "mean_rm_score", "mean_length", "max_length", "mean_kl", "truncated_rate"));
        COLUMNS.put("reward_components", List.of("sub_stage", "iteration", "component", "mean_value", "min_value", "max_value"));
        COLUMNS.put("verifier_rm_disagreement", List.of("sub_stage", "iteration", "pairs", "rm_prefers_wrong", "disagreement_rate"));
        COLUMNS.put("disagreement_examples", List.of("sub_stage", "iteration", "prompt_id", "sample_index", "rm_score",
                "group_mean_rm_score", "reward", "prompt", "completion"));
        COLUMNS.put("worst_completions", List.of("sub_stage", "iteration", "prompt_id", "sample_index", "reward",
                "verifier_correct", "rm_score", "finish_reason", "flag_reason", "length", "prompt", "completion"));
        COLUMNS.put("hacking_monitor", List.of("sub_stage", "iteration", "mean_rm_score", "verifier_accuracy", "mean_length",
                "rm_up_verifier_down", "length_blowup"));
        COLUMNS.put("flagged_rollouts", List.of("sub_stage", "iteration", "flag_reason", "rollouts"));
        COLUMNS.put("stage_extra_metrics", List.of("stage", "step", "key", "value"));
    }

    private static final SparkSession spark = LocalSpark.get();
    private static Path runPath;

    @BeforeAll
    static void run(@TempDir Path dir) throws Exception {
        runPath = QuickRun.copy(dir);
        RunDir run = RunDir.open(runPath.toString(), LocalSpark.config(), spark.sparkContext().hadoopConfiguration());
        TestRollouts.write(spark, run);
        TestRollouts.writeRlMetrics(spark, run);
        registerViews(run);
    }

    /** Every table as a view, as the notebook's first cell does (earlier views of the same names are replaced). */
    private static void registerViews(RunDir run) {
        for (String table : run.tables()) spark.read().parquet(run.tablePath(table).toString()).createOrReplaceTempView(table);
    }

    static List<NotebookSqlCells.Cell> cells() throws Exception {
        return NotebookSqlCells.parse(Files.readString(NOTEBOOK));
    }

    static Map<String, List<Row>> runAll(List<NotebookSqlCells.Cell> cells) {
        Map<String, List<Row>> results = new LinkedHashMap<>();
        for (NotebookSqlCells.Cell cell : cells) {
            Dataset<Row> result = spark.sql(cell.sql());
            assertEquals(COLUMNS.get(cell.name()), List.of(result.columns()), cell.name());
            results.put(cell.name(), result.collectAsList());
        }
        return results;
    }

    @Test
    void everySqlCellRunsAndReturnsItsColumns() throws Exception {
        List<NotebookSqlCells.Cell> cells = cells();
        assertEquals(COLUMNS.keySet(), cells.stream().map(NotebookSqlCells.Cell::name).collect(Collectors.toSet()),
                "every SQL cell has expected columns here, and every expectation a cell");
        Map<String, List<Row>> r = runAll(cells);
        for (String name : COLUMNS.keySet()) assertFalse(r.get(name).isEmpty(), name + " returned no rows");

        assertEquals(3, r.get("loss_by_step").stream().filter(row -> row.getString(0).equals("cold-start-sft")).count(),
                "3 training steps");
        assertEquals(9 * 2, r.get("eval_by_stage").size(), "9 suites x (start, end)");

        List<Row> perIteration = r.get("reward_by_iteration");
        assertEquals(TestRollouts.CORRECT.length + TestRollouts.PREFERENCE_ITERATIONS, perIteration.size());
        for (Row row : perIteration) {
            assertEquals((long) TestRollouts.PROMPTS * TestRollouts.SAMPLES, row.getLong(2));
            if (row.getString(0).equals("stem")) {
                int it = row.getInt(1);
                assertEquals(TestRollouts.CORRECT[it] / (double) TestRollouts.SAMPLES, row.getDouble(5), 1e-9, "accuracy at " + it);
            } else {
                assertTrue(row.isNullAt(5), "no verifier in the preference sub-stage");
            }
        }
        // Sample 3 is wrong but scored highest by the reward model: it beats every correct sample.
        List<Row> disagreement = r.get("verifier_rm_disagreement");
        assertEquals(TestRollouts.CORRECT.length, disagreement.size(), "stem only: preference has no verifier");
        for (Row row : disagreement) {
            int correct = TestRollouts.CORRECT[row.getInt(1)];
            int wrong = TestRollouts.SAMPLES - correct;
            assertEquals((long) TestRollouts.PROMPTS * correct * wrong, row.getLong(2));
            assertEquals(1.0 / wrong, row.getDouble(4), 1e-9, "only sample 3 of the wrong ones beats the correct ones");
        }
        // The reward model rose every iteration; accuracy fell only at stem iteration 2.
        for (Row row : r.get("hacking_monitor")) {
            boolean expected = row.getString(0).equals("stem") && row.getInt(1) == 2;
            assertEquals(expected, row.getBoolean(5), row.toString());
        }
        List<Row> flagged = r.get("flagged_rollouts");
        assertEquals(1, flagged.size());
        assertEquals("timeout", flagged.get(0).getString(2));
        List<Row> worst = r.get("worst_completions");
        for (int i = 1; i < worst.size(); i++) assertTrue(worst.get(i - 1).getDouble(4) <= worst.get(i).getDouble(4), "ascending reward");
        assertTrue(worst.stream().allMatch(w -> w.getInt(1) == (w.getString(0).equals("stem") ? 2 : 1)), "latest iterations only");
        // The hand-written RL row's two values, and the executors' share of each training step of the copied quick run.
        List<Row> extras = r.get("stage_extra_metrics");
        assertEquals(2, extras.stream().filter(x -> x.getString(0).equals("rl")).count(), extras.toString());
        long trainingSteps = spark.read().parquet(runPath + "/metrics").where("stage != 'rl'").count();
        assertTrue(trainingSteps > 0);
        assertEquals(trainingSteps, extras.stream().filter(x -> x.getString(2).equals("worker_seconds")).count(), extras.toString());
        assertEquals(2 + trainingSteps, extras.size(), extras.toString());
    }

    /** Every cell on the tables of a real (tiny) RL run: the rollouts the RL stage itself wrote, not hand-built ones. */
    @Test
    void everySqlCellRunsOnARealRlRun() throws Exception {
        String rl = ai.posttrain.stage.TinyRlRun.run();
        RunDir run = RunDir.open(rl, LocalSpark.config(), spark.sparkContext().hadoopConfiguration());
        try {
            registerViews(run);
            Map<String, List<Row>> r = runAll(cells());
            // Two iterations of one chat sub-stage, 4 prompts x 4 samples each (KillAndResumeTest.RL_SUB_STAGE).
            List<Row> perIteration = r.get("reward_by_iteration");
            assertEquals(2, perIteration.size(), perIteration.toString());
            for (Row row : perIteration) {
                assertEquals("chat", row.getString(0));
                assertEquals(16L, row.getLong(2));
                assertTrue(row.isNullAt(5), "no verifier in a chat sub-stage");
            }
            for (String name : List.of("loss_by_step", "eval_by_stage", "reward_components", "worst_completions",
                    "hacking_monitor", "stage_extra_metrics"))
                assertFalse(r.get(name).isEmpty(), name + " on a real RL run");
            assertTrue(r.get("reward_components").stream().anyMatch(c -> c.getString(2).equals("format")), "the format component");
        } finally {
            // The SFT run with hand-built rollouts back for the other tests (this run has no eval_samples/rejected of its own).
            registerViews(RunDir.open(runPath.toString(), LocalSpark.config(), spark.sparkContext().hadoopConfiguration()));
        }
    }

    @Test
    void aQueryNamingAMissingColumnFailsTheTest() throws Exception {
        String broken = Files.readString(NOTEBOOK).replace("avg(reward) AS mean_reward", "avg(reward_total) AS mean_reward");
        assertNotEquals(Files.readString(NOTEBOOK), broken, "the notebook holds the query this check breaks");
        AnalysisException e = assertThrows(AnalysisException.class, () -> runAll(NotebookSqlCells.parse(broken)));
        assertTrue(e.getMessage().contains("reward_total"), e.getMessage());
    }

    @Test
    void sqlOutsideATaggedCellIsRejected() {
        String nb = "{\"nbformat\":4,\"nbformat_minor\":5,\"metadata\":{},\"cells\":[{\"cell_type\":\"code\",\"metadata\":{},"
                + "\"source\":[\"x = spark.sql(\\\"\\\"\\\"select 1\\\"\\\"\\\")\"],\"outputs\":[],\"execution_count\":null}]}";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NotebookSqlCells.parse(nb));
        assertTrue(e.getMessage().contains("not tagged 'sql'"), e.getMessage());
    }

    @Test
    void everyCodeCellIsValidPython() throws Exception {
        // A real Python parser over every code cell (magics are not used, so each must parse as is).
        String script = "import ast, json, sys\n"
                + "nb = json.load(open(sys.argv[1], encoding='utf-8'))\n"
                + "for i, c in enumerate(nb['cells']):\n"
                + "    if c['cell_type'] == 'code':\n"
                + "        src = c['source'] if isinstance(c['source'], str) else ''.join(c['source'])\n"
                + "        ast.parse(src, filename='cell %d' % i)\n"
                + "print('ok')\n";
        Process p = new ProcessBuilder("python3", "-c", script, NOTEBOOK.toString()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertEquals("ok", out.strip());
    }
}
