package ai.posttrain.rollout;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The {@code rollouts} table: one row per sampled completion, Parquet partitioned by
 * {@code sub_stage} and {@code iteration}. The RL stage writes it, the notebook and the report read
 * it; this is the one definition both sides use.
 *
 * <p>{@code reward_components} maps a component name (e.g. {@code math}, {@code stem}, {@code code},
 * {@code format}, {@code tool_call}, {@code reward_model}, {@code overlong_penalty},
 * {@code repetition_penalty}, {@code kl_penalty}) to its weighted contribution; {@code reward} is the
 * clipped total. {@code verifier_correct} is null where no verifier applies, {@code rm_score} where
 * no reward model is used; {@code flagged}/{@code flag_reason} mark a crash, timeout or hostile code.
 */
public final class RolloutSchema {
    private RolloutSchema() {}

    public static final String TABLE = "rollouts";
    public static final String[] PARTITION_COLUMNS = {"sub_stage", "iteration"};

    public static final StructType SCHEMA = new StructType()
            .add("run", DataTypes.StringType, false)
            .add("sub_stage", DataTypes.StringType, false)
            .add("iteration", DataTypes.IntegerType, false)
            .add("policy_version", DataTypes.IntegerType, false)
            .add("prompt_id", DataTypes.StringType, false)
            .add("sample_index", DataTypes.IntegerType, false)
            .add("domain", DataTypes.StringType, true)
            .add("prompt", DataTypes.StringType, false)
            .add("completion", DataTypes.StringType, false)
            .add("token_ids", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
            .add("logprobs", DataTypes.createArrayType(DataTypes.FloatType, false), false)
            .add("ref_logprobs", DataTypes.createArrayType(DataTypes.FloatType, false), true)
            .add("reward_components", DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType, false), false)
            .add("reward", DataTypes.DoubleType, false)
            .add("advantage", DataTypes.DoubleType, true)
            .add("verifier_correct", DataTypes.BooleanType, true)
            .add("rm_score", DataTypes.DoubleType, true)
            .add("kl", DataTypes.DoubleType, true)
            .add("flagged", DataTypes.BooleanType, false)
            .add("flag_reason", DataTypes.StringType, true)
            .add("finish_reason", DataTypes.StringType, false)
            .add("length", DataTypes.IntegerType, false)
            .add("sample_seconds", DataTypes.DoubleType, false)
            .add("score_seconds", DataTypes.DoubleType, false);
}
