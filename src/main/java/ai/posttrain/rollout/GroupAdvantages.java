package ai.posttrain.rollout;

import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.StructType;

import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.mean;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.stddev_pop;
import static org.apache.spark.sql.functions.when;

/**
 * Group-relative advantages with window functions over each prompt's group ({@code sub_stage},
 * {@code iteration}, {@code prompt_id}): GRPO's {@code (r - mean) / (std + eps)}, or Dr. GRPO's
 * {@code r - mean} without the std. A group whose rewards are all equal teaches nothing: its advantage
 * is null, and {@link #droppedGroups} counts such groups. A flagged sample (sandbox violation, timeout,
 * forged result) never enters the update: its advantage is null and the group's statistics leave it out
 * ({@link #excludedFlagged} counts them), so a hostile sample can never get a positive advantage.
 */
public final class GroupAdvantages extends Transformer {
    public static final double EPS = 1e-6;
    private final String uid = Identifiable$.MODULE$.randomUID("groupAdvantages");
    private final boolean stdNormalised;

    /** @param stdNormalised true: GRPO (divide by the group's std); false: Dr. GRPO */
    public GroupAdvantages(boolean stdNormalised) { this.stdNormalised = stdNormalised; }

    static WindowSpec group() { return Window.partitionBy("sub_stage", "iteration", "prompt_id"); }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        WindowSpec g = group();
        boolean hasFlag = List.of(dataset.schema().fieldNames()).contains("flagged");
        Column flagged = hasFlag ? col("flagged").equalTo(true) : lit(false);
        Column reward = when(flagged, lit(null).cast("double")).otherwise(col("reward"));
        Column centred = reward.minus(mean(reward).over(g));
        Column advantage = stdNormalised ? centred.divide(stddev_pop(reward).over(g).plus(EPS)) : centred;
        Column equal = max(reward).over(g).equalTo(min(reward).over(g));
        Column none = lit(null).cast("double");
        return dataset.toDF().withColumn("advantage", when(flagged.or(equal.isNull()).or(equal), none).otherwise(advantage));
    }

    /** Groups whose rewards were all equal (advantage null), per the same grouping. */
    public static long droppedGroups(Dataset<Row> withAdvantages) {
        return withAdvantages.where(col("advantage").isNull())
                .select("sub_stage", "iteration", "prompt_id").distinct().count();
    }

    /** Flagged samples left out of the update. */
    public static long excludedFlagged(Dataset<Row> withAdvantages) {
        if (!List.of(withAdvantages.schema().fieldNames()).contains("flagged")) return 0;
        return withAdvantages.where(col("flagged").equalTo(true)).count();
    }

    @Override
    public StructType transformSchema(StructType schema) {
        for (String c : List.of("sub_stage", "iteration", "prompt_id", "reward"))
            if (!List.of(schema.fieldNames()).contains(c))
                throw new IllegalArgumentException("GroupAdvantages needs column " + c + "; the DataFrame has " + List.of(schema.fieldNames()));
        return RolloutRows.replacing(schema, RolloutSchema.SCHEMA.apply("advantage"));
    }

    @Override public Transformer copy(ParamMap extra) { return this; }

    @Override public String uid() { return uid; }
}
