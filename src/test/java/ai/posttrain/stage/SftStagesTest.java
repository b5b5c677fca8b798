package ai.posttrain.stage;

import ai.posttrain.LocalSpark;
import ai.posttrain.cli.Main;
import ai.posttrain.config.PosttrainConfig;
import ai.posttrain.run.RunDir;
import ai.posttrain.train.LrSchedule;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** Both SFT stages on conf/quick.conf through the CLI: real Spark, real DL4J training, real files. */
class SftStagesTest {
    private final SparkSession spark = LocalSpark.get();

    static final String[] QUICK = {"--conf", "conf/quick.conf", "--set", "posttrain.spark.master=\"local[2]\""};

    static String[] args(String... more) {
        List<String> all = new ArrayList<>(List.of(more));
        all.addAll(List.of(QUICK));
        return all.toArray(String[]::new);
    }

    static int cli(ByteArrayOutputStream err, String... argv) throws Exception {
        return Main.run(argv, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void pipelineTrainsBothStagesEvaluatesThemAndSkipsThemWhenComplete(@TempDir Path dir) throws Exception {
        String run = dir.resolve("run").toString();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, cli(err, args("pipeline", "--run", run)), err.toString());
        String log = err.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("[overall-sft] phase easy: steps 0-3"), log);
        assertTrue(log.contains("[overall-sft] phase all: steps 3-6"), log);

        RunDir runDir = RunDir.open(run, PosttrainConfig.load("conf/quick.conf", List.of()), spark.sparkContext().hadoopConfiguration());
        assertEquals("complete", runDir.manifest().stageStatus("cold-start-sft"));
        assertEquals("complete", runDir.manifest().stageStatus("overall-sft"));
        assertTrue(Files.isRegularFile(dir.resolve("run/overall-sft/model/model.zip")));
        // The pipeline ends with the run's report (its contents: report.ReportTest).
        assertTrue(log.contains("report: " + runDir.root() + "/report/index.html"), log);
        assertTrue(Files.isRegularFile(dir.resolve("run/report/index.html")));

        // Training lowered the loss in each stage.
        for (String stage : List.of("cold-start-sft", "overall-sft")) {
            List<Row> m = spark.read().parquet(run + "/metrics").where("stage = '" + stage + "'").orderBy("step").collectAsList();
            assertEquals(6, m.size(), stage);
            assertTrue(m.get(5).getDouble(m.get(5).fieldIndex("loss")) < m.get(0).getDouble(m.get(0).fieldIndex("loss")), stage);
            // The executors' share of the steps' time: every step has one, and together they worked, within the steps' time
            // (per step a listener event may land in the next one, so the bound is on the sum).
            double worked = 0, seconds = 0;
            for (Row r : m) {
                Double w = r.<String, Double>getJavaMap(r.fieldIndex("extra")).get("worker_seconds");
                assertTrue(w != null && w >= 0, stage + " step " + r.getInt(r.fieldIndex("step")) + ": worker_seconds " + w);
                worked += w;
                seconds += r.getDouble(r.fieldIndex("seconds"));
            }
            assertTrue(worked > 0 && worked <= seconds, stage + ": worker_seconds " + worked + " of " + seconds);
        }
        // Held-out evaluation: the untrained baseline and each stage's model on every suite.
        List<Row> eval = spark.read().parquet(run + "/eval").where("stage in ('cold-start-sft', 'overall-sft') and metric in ('accuracy','pass_rate','format_validity','tool_call_validity')")
                .collectAsList();
        assertEquals(9 * 3, eval.size(), "9 suites x (start, cold-start end, overall end)");
        assertEquals(9 * 6 * 3, spark.read().parquet(run + "/eval_samples").where("stage in ('cold-start-sft', 'overall-sft')").count());
        // The pipeline goes on through distill and rl (their own checks are in DistillStageTest and RlStageTest).
        assertEquals("complete", runDir.manifest().stageStatus("distill"));
        assertEquals("complete", runDir.manifest().stageStatus("rl"));

        // A second pipeline over the same run skips the finished stages.
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        assertEquals(0, cli(again, args("pipeline", "--run", run)));
        assertTrue(again.toString().contains("[cold-start-sft] complete in " + runDir.root() + ": skipped"), again.toString());
        assertTrue(again.toString().contains("[overall-sft] complete in " + runDir.root() + ": skipped"));
        assertTrue(again.toString().contains("[distill] complete in " + runDir.root() + ": skipped"));
    }

    @Test
    void aKilledStageResumesFromItsLastCheckpoint(@TempDir Path dir) throws Exception {
        String run = dir.resolve("run").toString();
        String[] stage = args("stage", "cold-start-sft", "--run", run, "--set", "posttrain.stages.cold-start-sft.curriculum=[{name=all,steps=5}, {name=again,steps=4,lr=5e-4,min-lr=5e-5}]",
                "--set", "posttrain.eval.before-training=false");
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        command.add("@submit/java-opens.txt");
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(stage));
        Process job = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("killed.log").toFile()).start();
        Path firstCheckpoint = dir.resolve("run/cold-start-sft/checkpoints/step-000003");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        while (!Files.isDirectory(firstCheckpoint) && job.isAlive() && System.nanoTime() < deadline) Thread.sleep(200);
        assertTrue(Files.isDirectory(firstCheckpoint), "no checkpoint before the kill: " + Files.readString(dir.resolve("killed.log")));
        job.destroyForcibly().waitFor();

        RunDir runDir = RunDir.open(run, PosttrainConfig.load("conf/quick.conf", List.of()), spark.sparkContext().hadoopConfiguration());
        assertEquals("running", runDir.manifest().stageStatus("cold-start-sft"), "killed mid-stage");
        List<Row> before = spark.read().parquet(run + "/metrics").collectAsList();
        int checkpointed = before.stream().mapToInt(r -> r.getInt(r.fieldIndex("step"))).max().orElseThrow() + 1;

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, cli(err, stage), err.toString());
        String log = err.toString(StandardCharsets.UTF_8);
        assertTrue(log.matches("(?s).*resuming from the checkpoint at step (3|6)/9.*"), log);
        assertFalse(log.contains("step 1/9 "), "no step is trained twice: " + log);

        List<Row> metrics = spark.read().parquet(run + "/metrics").where("stage = 'cold-start-sft'").orderBy("step").collectAsList();
        assertEquals(9, metrics.size(), "each step exactly once");
        // The second phase names its own lr: its steps restart at a warm-up and cosine of their own.
        LrSchedule schedule = new LrSchedule(1e-3, 1e-4, 1, 9).restarted(5, 9, 5e-4, 5e-5, 1);
        for (int i = 0; i < 9; i++) {
            assertEquals(i, metrics.get(i).getInt(metrics.get(i).fieldIndex("step")));
            assertEquals(schedule.at(i), metrics.get(i).getDouble(metrics.get(i).fieldIndex("lr")), 1e-12, "lr at step " + i);
        }
        assertTrue(checkpointed >= 3);
        assertEquals("complete", runDir.manifest().stageStatus("cold-start-sft"));
    }
}
