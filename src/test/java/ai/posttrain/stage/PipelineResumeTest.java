package ai.posttrain.stage;

import ai.posttrain.LocalSpark;
import ai.posttrain.cli.Main;
import ai.posttrain.config.PosttrainConfig;
import ai.posttrain.run.RunDir;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** `pipeline --run DIR` after the pipeline's JVM was killed mid-stage: real processes, real files. */
class PipelineResumeTest {
    private final SparkSession spark = LocalSpark.get();

    @Test
    void aKilledPipelineSkipsTheFinishedStageResumesTheInterruptedOneAndDuplicatesNoRow(@TempDir Path dir) throws Exception {
        String run = dir.resolve("run").toString();
        // quick.conf with a 3-step cold start and small evaluations (two suites): the kill comes at overall-sft's step 3 of 6.
        String[] pipeline = SftStagesTest.args("pipeline", "--run", run, "--set", "posttrain.stages.cold-start-sft.curriculum=[{name=all,steps=3}]",
                "--set", "posttrain.eval.before-training=false", "--set", "posttrain.eval.per-suite=2",
                "--set", "posttrain.eval.suites=[\"builtin:math:heldout\",\"builtin:agent:heldout\"]",
                "--set", "posttrain.eval.max-new-tokens=8");

        // 1. The pipeline in its own JVM, killed once overall-sft has written its first checkpoint (step 3 of 6).
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "@submit/java-opens.txt", "-Xmx2g",
                "-Dorg.bytedeco.javacpp.maxbytes=2g", "-Dorg.bytedeco.javacpp.maxphysicalbytes=5g", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(pipeline));
        Path killedLog = dir.resolve("killed.log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(killedLog.toFile());
        builder.environment().put("OMP_NUM_THREADS", "1");
        Process job = builder.start();
        Path checkpoint = dir.resolve("run/overall-sft/checkpoints/step-000003");
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (!Files.isDirectory(checkpoint) && job.isAlive() && System.nanoTime() < deadline) Thread.sleep(200);
            assertTrue(Files.isDirectory(checkpoint), "no overall-sft checkpoint before the kill:\n" + Files.readString(killedLog));
        } finally {
            job.destroyForcibly().waitFor();
        }
        RunDir runDir = RunDir.open(run, PosttrainConfig.load("conf/quick.conf", List.of()), spark.sparkContext().hadoopConfiguration());
        assertEquals("complete", runDir.manifest().stageStatus("cold-start-sft"));
        assertEquals("running", runDir.manifest().stageStatus("overall-sft"), "killed mid-stage");

        // 2. The same command again completes the run.
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, SftStagesTest.cli(err, pipeline), err.toString());
        String log = err.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("[cold-start-sft] complete in " + runDir.root() + ": skipped"), log);
        assertTrue(log.matches("(?s).*\\[overall-sft] resuming from the checkpoint at step (3|6)/6.*"), log);
        assertFalse(log.contains("[overall-sft] step 1/6 "), "no step is trained twice: " + log);
        assertEquals("complete", runDir.manifest().stageStatus("cold-start-sft"));
        assertEquals("complete", runDir.manifest().stageStatus("overall-sft"));
        assertTrue(Files.isRegularFile(dir.resolve("run/overall-sft/model/model.zip")));

        // The run goes on through distill and rl (their own checks are in DistillStageTest and RlStageTest).
        assertEquals("complete", runDir.manifest().stageStatus("distill"));
        assertEquals("complete", runDir.manifest().stageStatus("rl"));

        // 3. Every table holds each row once: all steps of both SFT stages, every evaluation once.
        String sft = "stage in ('cold-start-sft', 'overall-sft')";
        Dataset<Row> metrics = spark.read().parquet(run + "/metrics");
        assertEquals(3 + 6, metrics.where(sft).count(), "every step of both stages");
        assertNoDuplicates(metrics, "stage", "step");
        assertEquals(3, metrics.where("stage = 'cold-start-sft'").select("step").distinct().count());
        assertEquals(6, metrics.where("stage = 'overall-sft'").select("step").distinct().count());
        Dataset<Row> eval = spark.read().parquet(run + "/eval");
        assertNoDuplicates(eval, "stage", "checkpoint", "suite", "metric");
        assertEquals(2 * 2, eval.where(sft + " and metric in ('accuracy','tool_call_validity')").count(),
                "2 suites x (cold-start end, overall end)");
        Dataset<Row> samples = spark.read().parquet(run + "/eval_samples");
        assertNoDuplicates(samples, "stage", "checkpoint", "suite", "id");
        assertEquals(2 * 2 * 2, samples.where(sft).count());
        Dataset<Row> rejected = spark.read().parquet(run + "/rejected");
        assertEquals(rejected.distinct().count(), rejected.count(), "rejected rows once each");
    }

    private static void assertNoDuplicates(Dataset<Row> table, String... key) {
        List<Row> repeated = table.groupBy(key[0], java.util.Arrays.copyOfRange(key, 1, key.length)).count()
                .where("count > 1").collectAsList();
        assertTrue(repeated.isEmpty(), "rows repeated by " + String.join(", ", key) + ": " + repeated);
    }
}
