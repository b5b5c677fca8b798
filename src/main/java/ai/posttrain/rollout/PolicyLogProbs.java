package ai.posttrain.rollout;

import ai.posttrain.model.ModelBytes;
import ai.posttrain.model.SequenceLogProbs;
import ai.posttrain.tokenizer.ChatTemplate;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Adds a model's per-token log-probs of each completion ({@code token_ids} after {@code prompt}) as an
 * array column: the reference policy's ({@code ref_logprobs}, default) or the current policy's.
 */
public final class PolicyLogProbs extends RowTransformer {
    private final Broadcast<ModelBytes> model;
    private final ChatTemplate template;
    private final String outputColumn;

    public PolicyLogProbs(SparkSession spark, ModelBytes model, ChatTemplate template, String outputColumn) {
        super("policyLogProbs");
        this.model = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(model);
        this.template = template;
        this.outputColumn = outputColumn;
    }

    @Override List<String> inputColumns() { return List.of("prompt", "token_ids"); }

    @Override
    StructType outputSchema(StructType in) {
        return RolloutRows.replacing(in, DataTypes.createStructField(outputColumn,
                DataTypes.createArrayType(DataTypes.FloatType, false), true));
    }

    @Override
    Iterator<Row> apply(Iterator<Row> rows, StructType in, StructType out) {
        List<Row> all = new ArrayList<>();
        rows.forEachRemaining(all::add);
        if (all.isEmpty()) return all.iterator();
        SequenceLogProbs scorer = new SequenceLogProbs(model.value().restore());
        List<int[]> prompts = new ArrayList<>(), completions = new ArrayList<>();
        for (Row r : all) {
            prompts.add(RolloutGenerator.render(template, r.getString(r.fieldIndex("prompt"))));
            completions.add(RolloutRows.ints(r, "token_ids"));
        }
        List<float[]> lp = scorer.completionLogProbs(prompts, completions);
        List<Row> result = new ArrayList<>(all.size());
        for (int i = 0; i < all.size(); i++) {
            result.add(RolloutRows.with(all.get(i), in, out, Map.of(outputColumn, RolloutRows.boxed(lp.get(i)))));
        }
        return result.iterator();
    }

    /** Frees the broadcast model once its results are materialised. */
    public void release() { model.destroy(); }

    public Dataset<Row> apply(Dataset<Row> rows) { return transform(rows); }
}
