package ai.posttrain.report;

import ai.posttrain.LocalSpark;
import ai.posttrain.cli.Main;
import ai.posttrain.run.RunDir;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** The run report from a real quick run's tables (plus a TableWriter-written rollouts table), through the CLI. */
class ReportTest {
    private final SparkSession spark = LocalSpark.get();

    record Result(int code, String out, String err) {}

    static Result cli(String... argv) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Result report(Path run) throws Exception {
        return cli("report", "--run", run.toString(), "--set", "posttrain.spark.master=\"local[2]\"");
    }

    private RunDir open(Path run) {
        return RunDir.open(run.toString(), LocalSpark.config(), spark.sparkContext().hadoopConfiguration());
    }

    /** The PNG files index.html references, each checked to exist and decode as a real chart. */
    static Set<String> images(Path reportDir, String html) throws Exception {
        Set<String> names = new LinkedHashSet<>();
        Matcher m = Pattern.compile("<img src=\"([^\"]+)\"").matcher(html);
        while (m.find()) names.add(m.group(1));
        for (String name : names) {
            Path png = reportDir.resolve(name);
            assertTrue(Files.isRegularFile(png), name);
            assertTrue(Files.size(png) > 5_000, name + " is " + Files.size(png) + " bytes");
            BufferedImage image = ImageIO.read(png.toFile());
            assertNotNull(image, name + " is not a readable PNG");
            assertEquals(Charts.WIDTH, image.getWidth());
            assertEquals(Charts.HEIGHT, image.getHeight());
        }
        return names;
    }

    @Test
    void reportOfARunWithEveryTable(@TempDir Path dir) throws Exception {
        Path run = QuickRun.copy(dir);
        RunDir runDir = open(run);
        TestRollouts.write(spark, runDir);

        Result r = report(run);
        assertEquals(0, r.code(), r.err());
        Path index = run.resolve("report/index.html");
        assertEquals(runDir.root() + "/report/index.html", r.out().strip());
        String html = Files.readString(index);

        assertEquals(Set.of("loss.png", "eval.png", "rl_reward.png", "rl_accuracy.png", "rl_length.png", "rl_kl.png"),
                images(index.getParent(), html));
        assertFalse(html.contains("not run yet"), "every section has its tables");
        // Stage duration from the manifest.
        double seconds = runDir.manifest().stageSeconds("cold-start-sft");
        assertTrue(seconds > 0, "the stage's duration is recorded");
        assertTrue(html.contains("<td class=\"num\">" + ReportPage.format(seconds) + "</td>"), "duration shown");
        // The config, escaped.
        assertTrue(html.contains("&quot;d-model&quot; : 64"), "the resolved quick.conf teacher");
        // Sample generations: each suite's held-out completions of the trained model, escaped.
        List<Row> samples = spark.read().parquet(run.resolve("eval_samples").toString())
                .where("checkpoint = 'end'").orderBy("suite", "id").collectAsList();
        for (String suite : List.of("math", "code", "stem", "conversation", "agent", "reasoning")) {
            Row first = samples.stream().filter(s -> s.getString(s.fieldIndex("suite")).equals(suite)).findFirst().orElseThrow();
            String completion = SamplesSection.cut(first.getString(first.fieldIndex("completion")));
            assertTrue(html.contains(Html.escape(completion)), suite + " sample missing");
        }
        // Rollout samples: their markup is shown as text, never as markup.
        assertTrue(html.contains(Html.escape(TestRollouts.MARKUP)), "rollout sample shown");
        assertFalse(html.contains(TestRollouts.MARKUP), "rollout text is escaped");

        // A second report replaces the first, leaving no temporary folders.
        assertEquals(0, report(run).code());
        try (Stream<Path> files = Files.list(run)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(".tmp-report")
                    || p.getFileName().toString().startsWith(".old-report")));
        }
    }

    @Test
    void subStageEvaluationsSortBeforeTheirStageInConfiguredOrder(@TempDir Path dir) throws Exception {
        RunTables tables = new RunTables(spark, open(QuickRun.copy(dir)));
        assertEquals(List.of("stem", "code", "preference"), tables.subStages("rl"), "quick.conf's sub-stages, from the manifest");
        List<String> names = new java.util.ArrayList<>(List.of("rl", "rl/code", "cold-start-sft", "rl/stem"));
        names.sort(tables.byStageOrder());
        assertEquals(List.of("cold-start-sft", "rl/stem", "rl/code", "rl"), names);
    }

    @Test
    void aRunWithoutRlStillGetsAReport(@TempDir Path dir) throws Exception {
        Path run = QuickRun.copy(dir);
        org.apache.hadoop.fs.Path index = RunReport.write(spark, open(run));
        String html = Files.readString(Path.of(index.toUri()));
        assertEquals(Set.of("loss.png", "eval.png"), images(Path.of(index.toUri()).getParent(), html));
        assertTrue(html.contains("RL: not run yet"), html);
        assertTrue(html.contains("<h2>Training loss</h2>"));

        // A run with no stage at all: every section says so, and there is nothing to plot.
        Path empty = dir.resolve("empty");
        String emptyHtml = Files.readString(Path.of(RunReport.write(spark, open(empty)).toUri()));
        for (String what : List.of("Stages", "Training", "Evaluation", "RL")) {
            assertTrue(emptyHtml.contains(what + ": not run yet"), what);
        }
        assertFalse(emptyHtml.contains("<img"));
    }

    @Test
    void reportNeedsAnExistingRun(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("no-such-run");
        Result r = report(missing);
        assertEquals(1, r.code());
        assertTrue(r.err().contains("no run at " + missing), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line, no stack trace: " + r.err());
        assertFalse(Files.exists(missing), "a report does not create a run");

        Result noRun = cli("report");
        assertEquals(2, noRun.code());
        assertTrue(noRun.err().contains("--run DIR is required"), noRun.err());
    }
}
