package ai.posttrain.eval;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;

/** A scored completion of one {@link EvalItem}. */
public record EvalOutcome(String suite, String id, String domain, Integer difficulty, String prompt, String completion,
                          String metric, double score, boolean passed, boolean formatOk, boolean stopped,
                          int newTokens, String reason) implements Serializable {
    /** The columns of one outcome in a table ({@code eval_samples}, {@code eval --samples}), in {@link #values} order. */
    public static final StructType COLUMNS = new StructType()
            .add("suite", DataTypes.StringType).add("id", DataTypes.StringType)
            .add("difficulty", DataTypes.IntegerType).add("prompt", DataTypes.StringType)
            .add("completion", DataTypes.StringType).add("metric", DataTypes.StringType)
            .add("score", DataTypes.DoubleType).add("passed", DataTypes.BooleanType)
            .add("format_ok", DataTypes.BooleanType).add("stopped", DataTypes.BooleanType)
            .add("new_tokens", DataTypes.IntegerType).add("reason", DataTypes.StringType);

    public Object[] values() {
        return new Object[]{suite, id, difficulty, prompt, completion, metric, score, passed, formatOk, stopped, newTokens, reason};
    }
}
