package ai.posttrain.rollout;

import ai.posttrain.model.Sample;
import ai.posttrain.reward.Canaries;
import ai.posttrain.tokenizer.ChatTemplate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.util.ArrayList;
import java.util.List;

/** Canaries as unscored rollout rows ({@link RolloutRows#WORK}) of an iteration, one group each, spread over the executors. */
public final class CanaryRollouts {
    /** Prompt-id prefix of canary rows. */
    public static final String PREFIX = "canary:";

    private CanaryRollouts() {}

    public static Dataset<Row> rows(SparkSession spark, ChatTemplate template, RolloutGenerator.Options o, List<Canaries.Canary> canaries) {
        List<Row> rows = new ArrayList<>();
        for (Canaries.Canary c : canaries) {
            int[] ids = template.tokenizer().encode(c.completion());
            RlPrompt prompt = new RlPrompt(PREFIX + c.name(), "code", "Write a Python function f.", null, c.tests());
            // Sampling log-probs 0: the canaries were written, not sampled (and never reach the update).
            rows.add(RolloutGenerator.unscored(o, prompt, 0, c.completion(), ids, new double[ids.length], Sample.STOP, 0.0));
        }
        int partitions = Math.max(1, Math.min(rows.size(), spark.sparkContext().defaultParallelism()));
        return spark.createDataFrame(rows, RolloutRows.WORK).repartition(partitions);
    }
}
