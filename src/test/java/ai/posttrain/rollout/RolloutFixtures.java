package ai.posttrain.rollout;

import ai.posttrain.tokenizer.Tokenizer;
import ai.posttrain.tokenizer.Tokenizers;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

import java.util.List;
import java.util.Map;

/** Hand-written completions in the rollout working schema, as a policy might have sampled them. */
final class RolloutFixtures {
    static final Tokenizer BYTES = Tokenizers.create("byte", "");

    private RolloutFixtures() {}

    static Row row(int iteration, String promptId, int sample, String domain, String prompt, String completion,
                   String answer, List<String> tests, double reward) {
        int[] ids = BYTES.encode(completion);
        List<Integer> tokens = new java.util.ArrayList<>();
        List<Float> lp = new java.util.ArrayList<>();
        for (int id : ids) {
            tokens.add(id);
            lp.add(-1f);
        }
        return RowFactory.create("test", "sub", iteration, iteration, promptId, sample, domain, prompt, completion, RolloutRows.seq(tokens), RolloutRows.seq(lp),
                null, RolloutRows.scalaMap(Map.of()), reward, null, null, null, null, false, null, "stop", ids.length, 0.0, 0.0, answer,
                tests == null ? null : RolloutRows.seq(tests));
    }

    static Dataset<Row> frame(SparkSession spark, List<Row> rows) {
        return spark.createDataFrame(rows, RolloutRows.WORK);
    }
}
