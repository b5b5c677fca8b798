package ai.posttrain.eval;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;
import java.util.List;

/** A scored completion of one {@link EvalItem}. */
public record EvalOutcome(String suite, String id, String domain, Integer difficulty, String prompt, String completion,
                          String metric, double score, boolean passed, boolean formatOk, boolean stopped,
                          int newTokens, String reason) implements Serializable {
    /** The columns of one outcome in a table ({@code eval_samples}, {@code eval --samples}). */
    private static final StructType COLUMNS = new StructType()
            .add("suite", DataTypes.StringType).add("id", DataTypes.StringType)
            .add("difficulty", DataTypes.IntegerType).add("prompt", DataTypes.StringType)
            .add("completion", DataTypes.StringType).add("metric", DataTypes.StringType)
            .add("score", DataTypes.DoubleType).add("passed", DataTypes.BooleanType)
            .add("format_ok", DataTypes.BooleanType).add("stopped", DataTypes.BooleanType)
            .add("new_tokens", DataTypes.IntegerType).add("reason", DataTypes.StringType);

    /** {@code outcomes} as a table of {@link #COLUMNS}, one row each. */
    public static Dataset<Row> table(SparkSession spark, List<EvalOutcome> outcomes) {
        List<Row> rows = outcomes.stream().map(o -> RowFactory.create(o.suite, o.id, o.difficulty, o.prompt, o.completion,
                o.metric, o.score, o.passed, o.formatOk, o.stopped, o.newTokens, o.reason)).toList();
        return spark.createDataFrame(rows, COLUMNS);
    }
}
