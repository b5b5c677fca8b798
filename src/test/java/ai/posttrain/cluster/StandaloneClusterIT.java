package ai.posttrain.cluster;

import ai.posttrain.LocalSpark;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The cluster jar on a real Spark standalone cluster (a Master and two Worker JVMs on 127.0.0.1):
 * submit/spark-submit.sh submits the whole pipeline on conf/quick.conf in client mode, every stage (RL with its
 * code sandbox included) trains and evaluates on the two executors, and the outputs land in the run directory.
 * Runs in `mvn -Pcluster verify`, after the shade plugin built target/*-cluster.jar.
 */
class StandaloneClusterIT {
    /** What the test submits; submit/airflow/posttrain_dag.py passes the same options. */
    static final List<String> SUBMIT_OPTIONS = List.of("--deploy-mode", "client", "--executors", "2",
            "--executor-cores", "1", "--executor-memory", "1536m", "--executor-offheap", "1g", "--driver-memory", "1g");

    @Test
    void theClusterJarRunsTheWholePipelineOnAStandaloneCluster(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) throws Exception {
        Path jar = Path.of(System.getProperty("cluster.jar", "target/spark-posttrain-0.1.0-SNAPSHOT-cluster.jar"));
        assertTrue(Files.isRegularFile(jar), "no cluster jar at " + jar + ": run mvn -Pcluster verify");
        Path run = dir.resolve("run");
        Path driverLog = dir.resolve("driver.log");

        try (StandaloneCluster cluster = StandaloneCluster.start(dir, 2, 1, "2g")) {
            List<String> command = new ArrayList<>(List.of("submit/spark-submit.sh", "--master", cluster.masterUrl()));
            command.addAll(SUBMIT_OPTIONS);
            command.addAll(List.of("--jar", jar.toAbsolutePath().toString(),
                    "--conf", Path.of("conf/quick.conf").toAbsolutePath().toString(),
                    "pipeline", "--run", run.toString(),
                    "--set", "posttrain.eval.before-training=false", "--set", "posttrain.eval.per-suite=2",
                    "--set", "posttrain.eval.max-new-tokens=16"));
            ProcessBuilder submit = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(driverLog.toFile());
            submit.environment().putAll(cluster.environment());
            Process driver = submit.start();
            try {
                boolean finished = driver.waitFor(15, TimeUnit.MINUTES);
                String log = "(logs kept in " + dir + ")\n" + StandaloneCluster.errors(driverLog) + StandaloneCluster.tail(driverLog, 30);
                assertTrue(finished, "the submitted pipeline did not finish in 15 minutes:\n" + log + cluster.logTails());
                assertEquals(0, driver.exitValue(), "spark-submit failed:\n" + log + cluster.logTails());
            } finally {
                driver.descendants().forEach(ProcessHandle::destroyForcibly);
                driver.destroyForcibly().waitFor();
            }

            // The job ran on the cluster: the Master saw it finish and each Worker ran one of its executors.
            JsonNode apps = cluster.masterState().path("completedapps");
            assertEquals(1, apps.size(), apps.toString());
            assertEquals("spark-posttrain-pipeline", apps.get(0).path("name").asText());
            for (int w = 0; w < 2; w++) {
                try (var appDirs = Files.list(dir.resolve("worker-" + w))) {
                    assertEquals(1, appDirs.filter(p -> p.getFileName().toString().startsWith("app-")).count(),
                            "worker " + w + " ran no executor");
                }
            }
        }

        // Its outputs: the manifest says every stage is complete, each stage's model is there, every step has one metrics row.
        JsonNode manifest = new ObjectMapper().readTree(run.resolve("manifest.json").toFile());
        for (String stage : List.of("cold-start-sft", "overall-sft", "distill", "rl")) {
            assertEquals("complete", manifest.path("stages").path(stage).path("status").asText(), stage + ": " + manifest);
            assertTrue(Files.isRegularFile(run.resolve(stage + "/model/model.zip")), stage);
            assertTrue(Files.isRegularFile(run.resolve(stage + "/model/model.json")), stage);
        }
        SparkSession spark = LocalSpark.get();
        List<Row> metrics = spark.read().parquet(run.resolve("metrics").toString())
                .where("stage = 'cold-start-sft'").orderBy("step").collectAsList();
        assertEquals(6, metrics.size(), "quick.conf trains 6 steps");
        for (int i = 0; i < 6; i++) {
            Row r = metrics.get(i);
            assertEquals(i, r.getInt(r.fieldIndex("step")));
            assertTrue(Double.isFinite(r.getDouble(r.fieldIndex("loss"))) && r.getLong(r.fieldIndex("tokens")) > 0, r.toString());
        }
        // The held-out evaluation ran on the executors: one headline row per suite (the three reworded ones among them),
        // after every stage.
        Dataset<Row> eval = spark.read().parquet(run.resolve("eval").toString());
        for (String stage : List.of("cold-start-sft", "overall-sft", "distill", "rl"))
            assertEquals(9, eval.where("stage = '" + stage + "' and checkpoint = 'end' and n = 2 "
                    + "and metric in ('accuracy','pass_rate','format_validity','tool_call_validity')").count(), stage);
        // The teacher's top-k for distillation, and RL's rollouts: one partition per quick.conf sub-stage iteration, every
        // code sample judged in the sandbox on the executors.
        assertTrue(spark.read().parquet(run.resolve("teacher_topk").toString()).count() > 0);
        Dataset<Row> rollouts = spark.read().parquet(run.resolve("rollouts").toString());
        assertEquals(List.of("code", "preference", "stem"), rollouts.select("sub_stage").distinct().orderBy("sub_stage")
                .collectAsList().stream().map(r -> r.getString(0)).toList());
        assertEquals(5, rollouts.select("iteration").distinct().count(), "2 stem + 1 code + 2 preference iterations");
        assertEquals(0, rollouts.where("sub_stage = 'code' and verifier_correct is null").count(), "every code sample judged");
        assertEquals(5, spark.read().parquet(run.resolve("metrics").toString()).where("stage = 'rl'").count());
    }
}
