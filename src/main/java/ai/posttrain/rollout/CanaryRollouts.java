package ai.posttrain.rollout;

import ai.posttrain.model.Sample;
import ai.posttrain.reward.Canaries;
import ai.posttrain.tokenizer.ChatTemplate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Canaries as unscored rollout rows ({@link RolloutRows#WORK}) of an iteration, one group each, spread over the executors. */
public final class CanaryRollouts {
    /** Prompt-id prefix of canary rows. */
    public static final String PREFIX = "canary:";

    private CanaryRollouts() {}

    public static Dataset<Row> rows(SparkSession spark, ChatTemplate template, RolloutGenerator.Options o, List<Canaries.Canary> canaries) {
        List<Row> rows = new ArrayList<>();
        for (Canaries.Canary c : canaries) {
            int[] ids = template.tokenizer().encode(c.completion());
            List<Integer> tokens = new ArrayList<>(ids.length);
            List<Float> logp = new ArrayList<>(ids.length);
            for (int id : ids) {
                tokens.add(id);
                logp.add(0f);
            }
            rows.add(RowFactory.create(o.run(), o.subStage(), o.iteration(), o.policyVersion(), PREFIX + c.name(), 0, "code",
                    "Write a Python function f.", c.completion(), RolloutRows.seq(tokens), RolloutRows.seq(logp), null,
                    RolloutRows.scalaMap(Map.of()), 0.0, null, null, null, null, false, null, Sample.STOP,
                    ids.length, 0.0, 0.0, null, RolloutRows.seq(c.tests())));
        }
        int partitions = Math.max(1, Math.min(rows.size(), spark.sparkContext().defaultParallelism()));
        return spark.createDataFrame(rows, RolloutRows.WORK).repartition(partitions);
    }
}
