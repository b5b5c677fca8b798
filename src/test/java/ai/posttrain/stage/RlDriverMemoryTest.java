package ai.posttrain.stage;

import ai.posttrain.LocalSpark;
import ai.posttrain.rollout.RolloutSchema;
import ai.posttrain.train.SparkTrainer;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import static ai.posttrain.stage.SftStagesTest.args;
import static ai.posttrain.stage.SftStagesTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The driver never materialises rollout rows. The same one-iteration RL sub-stage runs with 8 and with 128
 * rollouts while a listener records, per call site (job), the largest task result that reached the driver
 * (Spark's {@code resultSize}: a collect's rows, a count, an aggregate, a sort's key sample, plus each task's
 * metric updates, a fixed few KB). A job that brought rollout rows to the driver would return 16 times more
 * rows with the larger run, spread over the same few partitions: its largest task result would grow by
 * kilobytes. Aggregates, counts and per-minibatch numbers do not. The parameter-averaging jobs are left out:
 * they carry the model, whose size does not depend on the rollouts.
 */
class RlDriverMemoryTest {
    private final SparkSession spark = LocalSpark.get();

    /** Per call site, the largest task result of the jobs outside the parameter-averaging group. */
    static final class LargestResults extends SparkListener {
        private final Set<Integer> trainingStages = ConcurrentHashMap.newKeySet();
        private final Map<Integer, String> callSites = new ConcurrentHashMap<>();
        final Map<String, Long> largest = new ConcurrentHashMap<>();

        @Override
        public void onJobStart(SparkListenerJobStart job) {
            if (job.properties() != null && SparkTrainer.JOB_GROUP.equals(job.properties().getProperty("spark.jobGroup.id")))
                for (Object id : scala.collection.JavaConverters.seqAsJavaList(job.stageIds())) trainingStages.add((Integer) id);
        }

        @Override
        public void onStageSubmitted(SparkListenerStageSubmitted stage) {
            callSites.put(stage.stageInfo().stageId(), stage.stageInfo().name());
        }

        @Override
        public void onTaskEnd(SparkListenerTaskEnd task) {
            if (task.taskMetrics() == null || trainingStages.contains(task.stageId())) return;
            largest.merge(callSites.getOrDefault(task.stageId(), "stage " + task.stageId()), task.taskMetrics().resultSize(), Math::max);
        }
    }

    /** One run's largest task results per call site, its rollouts and its update steps. */
    private record Run(Map<String, Long> largest, long rollouts, double updateSteps) {
        long overall() { return largest.values().stream().mapToLong(Long::longValue).max().orElse(0); }
    }

    private Run run(Path dir, int prompts, int groupSize) throws Exception {
        String run = dir.resolve("run-" + prompts + "x" + groupSize).toString();
        String subStage = "[{name = stem, inputs = [\"builtin:math\"], heldout = [\"builtin:math:heldout\"], difficulties = [1], "
                + "rewards {math = 1.0, format = 0.2}, iterations = 1, heldout-prompts = 1, epochs = 1, "
                + "prompts-per-iteration = " + prompts + ", group-size = " + groupSize + ", max-new-tokens = 24}]";
        SparkContext sc = spark.sparkContext();
        LargestResults listener = new LargestResults();
        sc.addSparkListener(listener);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            int rc = cli(err, args("stage", "rl", "--run", run, "--set", "posttrain.stages.rl.init=\"" + RlStageTest.tinyPolicy(dir) + "\"",
                    "--set", "posttrain.stages.rl.sub-stages=" + subStage));
            assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
            sc.listenerBus().waitUntilEmpty();   // listener events arrive asynchronously
        } finally {
            sc.removeSparkListener(listener);
        }
        long rollouts = spark.read().parquet(run + "/" + RolloutSchema.TABLE).count();
        Row metrics = spark.read().parquet(run + "/metrics").where("stage = 'rl'").first();
        Map<String, Double> extra = metrics.getJavaMap(metrics.fieldIndex("extra"));
        return new Run(new TreeMap<>(listener.largest), rollouts, extra.get("update_steps"));
    }

    @Test
    void noJobReturnsMoreToTheDriverWithSixteenTimesTheRollouts(@TempDir Path dir) throws Exception {
        Run small = run(dir, 2, 4), large = run(dir, 8, 16);
        assertEquals(8, small.rollouts());
        assertEquals(128, large.rollouts());
        assertTrue(large.updateSteps() > 0, "the large run trained, so its minibatches were built: " + large);
        // Measured: a task's metric updates vary by a few hundred bytes; 120 rows of 24 sampled tokens in a
        // handful of partitions would add several KB (their log-probs alone are 8 bytes a token).
        long slack = 2_000;
        large.largest().forEach((site, bytes) -> {
            long before = small.largest().getOrDefault(site, small.overall());
            System.out.printf("%-50s %6d -> %6d bytes%n", site, small.largest().getOrDefault(site, -1L), bytes);
            assertTrue(bytes <= before + slack, site + ": its largest task result grew from " + before + " to " + bytes
                    + " bytes with 16x the rollouts: rollout rows reach the driver");
        });
    }
}
