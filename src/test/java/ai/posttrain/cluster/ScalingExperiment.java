package ai.posttrain.cluster;

import ai.posttrain.LocalSpark;
import ai.posttrain.config.PosttrainConfig;
import ai.posttrain.model.Checkpoints;
import ai.posttrain.model.LanguageModels;
import ai.posttrain.model.ModelConfig;
import ai.posttrain.model.ModelInfo;
import ai.posttrain.model.head.LmHeadOutputLayer;
import ai.posttrain.tokenizer.Tokenizers;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The scaling experiment of the README's "Scaling out" section: the same RL work (one sub-stage, fixed
 * prompts x group size per iteration) submitted with the cluster jar to a standalone cluster of 1, 2 and 4
 * single-core executors on 127.0.0.1, then each run's per-iteration time split (from the metrics table's
 * {@code extra}) printed as a table. Not a test (it measures, it does not judge); run it from the repository
 * root after {@code mvn -Pcluster -DskipTests package}:
 * <pre>
 * java -cp target/test-classes:target/classes:$(cat target/classpath.txt) @submit/java-opens.txt \
 *     ai.posttrain.cluster.ScalingExperiment /tmp/scaling 1,2,4
 * </pre>
 */
public final class ScalingExperiment {
    /** The work per iteration, the same at every executor count. */
    static final int PROMPTS = 32, GROUP = 8, ITERATIONS = 3, MAX_NEW_TOKENS = 24, BATCH_ROWS = 8;
    static final List<String> PHASES = List.of("sample_seconds", "score_seconds", "advantage_seconds", "write_seconds",
            "aggregate_seconds", "batch_seconds", "update_seconds", "update_worker_seconds");

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args.length > 0 ? args[0] : "/tmp/posttrain-scaling");
        List<Integer> counts = new ArrayList<>();
        for (String n : (args.length > 1 ? args[1] : "1,2,4").split(",")) counts.add(Integer.parseInt(n.trim()));
        Path jar = Path.of("target/spark-posttrain-0.1.0-SNAPSHOT-cluster.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) throw new IllegalStateException("no cluster jar at " + jar + ": mvn -Pcluster -DskipTests package");
        Files.createDirectories(root);
        String policy = tinyPolicy(root);
        List<String> report = new ArrayList<>();
        for (int n : counts) report.add(run(root.resolve("executors-" + n), n, jar, policy));
        System.out.println(String.join("\n", report));
    }

    private static String run(Path dir, int executors, Path jar, String policy) throws Exception {
        Files.createDirectories(dir);
        Path run = dir.resolve("run"), driverLog = dir.resolve("driver.log");
        String subStage = "[{name = stem, inputs = [\"builtin:math\", \"builtin:stem\"], heldout = [\"builtin:math:heldout\"], "
                + "difficulties = [1], rewards {math = 1.0, stem = 1.0, format = 0.2}, heldout-prompts = 1, epochs = 1, "
                + "iterations = " + ITERATIONS + ", prompts-per-iteration = " + PROMPTS + ", group-size = " + GROUP
                + ", max-new-tokens = " + MAX_NEW_TOKENS + "}]";
        long t0 = System.nanoTime();
        try (StandaloneCluster cluster = StandaloneCluster.start(dir, executors, 1, "2g")) {
            List<String> command = new ArrayList<>(List.of("submit/spark-submit.sh", "--master", cluster.masterUrl(),
                    "--deploy-mode", "client", "--executors", String.valueOf(executors), "--executor-cores", "1",
                    "--executor-memory", "1g", "--executor-offheap", "768m", "--driver-memory", "1g",
                    "--jar", jar.toString(), "--conf", Path.of("conf/quick.conf").toAbsolutePath().toString(),
                    "stage", "rl", "--run", run.toString(),
                    "--set", "posttrain.stages.rl.init=\"" + policy + "\"",
                    "--set", "posttrain.stages.rl.sub-stages=" + subStage,
                    "--set", "posttrain.stages.rl.train.batch-per-worker=" + BATCH_ROWS));
            ProcessBuilder submit = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(driverLog.toFile());
            submit.environment().putAll(cluster.environment());
            Process driver = submit.start();
            if (!driver.waitFor(20, TimeUnit.MINUTES) || driver.exitValue() != 0) {
                driver.descendants().forEach(ProcessHandle::destroyForcibly);
                driver.destroyForcibly();
                throw new IllegalStateException(executors + " executors: the stage failed\n" + StandaloneCluster.tail(driverLog, 40)
                        + cluster.logTails());
            }
        }
        return table(run, executors, (System.nanoTime() - t0) / 1e9);
    }

    /** Mean per-iteration phases of the run's rl metrics (iterations after the first: the first pays JIT and start-up). */
    static String table(Path run, int executors, double wall) {
        SparkSession spark = LocalSpark.get();
        List<Row> rows = spark.read().parquet(run.resolve("metrics").toString())
                .where("stage = 'rl' and phase = 'stem'").orderBy("step").collectAsList();
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "== %d executor(s): %d iterations, submit-to-end %.0fs%n",
                executors, rows.size(), wall));
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            Map<String, Double> x = r.getJavaMap(r.fieldIndex("extra"));
            double seconds = r.getDouble(r.fieldIndex("seconds"));
            // Between this iteration's metrics row and the next one's start: metrics flush + checkpoint.
            String between = "-";
            if (i + 1 < rows.size()) {
                Row next = rows.get(i + 1);
                double gap = Duration.between(Instant.parse(r.getString(r.fieldIndex("time"))),
                        Instant.parse(next.getString(next.fieldIndex("time")))).toMillis() / 1e3 - next.getDouble(next.fieldIndex("seconds"));
                between = String.format(Locale.ROOT, "%.2f", gap);
            }
            double rollouts = x.get("groups") * GROUP, trainedTokens = x.getOrDefault("update_tokens", 0.0);
            StringBuilder phases = new StringBuilder();
            for (String p : PHASES) phases.append(String.format(Locale.ROOT, " %s=%.2f", p.replace("_seconds", ""), x.getOrDefault(p, Double.NaN)));
            out.append(String.format(Locale.ROOT, "iteration %d: %.2fs%s checkpoint+metrics=%s steps=%.0f | rollouts %.0f, "
                            + "%.1f rollouts/s (%.1f per executor), rollout tokens %.0f, trained tokens %.0f, "
                            + "%.0f trained tok/s of update (%.0f per executor)%n",
                    i, seconds, phases, between, x.get("update_steps"), rollouts, rollouts / x.get("sample_seconds"),
                    rollouts / x.get("sample_seconds") / executors, x.get("rollout_tokens"), trainedTokens,
                    trainedTokens / x.get("update_seconds"), trainedTokens / x.get("update_seconds") / executors));
        }
        return out.toString();
    }

    /** A fresh quick-sized student checkpoint: the policy every run starts from. */
    static String tinyPolicy(Path dir) {
        PosttrainConfig config = PosttrainConfig.load("conf/quick.conf", List.of());
        var m = config.student();
        ModelConfig arch = new ModelConfig(Tokenizers.create("byte", "").vocabSize(), m.dModel(), m.layers(), m.heads(),
                m.dFf(), m.maxSeqLen(), m.positions(), m.tiedEmbeddings());
        String out = dir.resolve("init").toString();
        if (!Files.isDirectory(Path.of(out)))
            Checkpoints.save(LanguageModels.create(arch, new LmHeadOutputLayer.Builder(), 1e-3, 1.0, 7),
                    new ModelInfo(arch, "byte", "scaling", 0, Map.of()), out);
        return out;
    }
}
