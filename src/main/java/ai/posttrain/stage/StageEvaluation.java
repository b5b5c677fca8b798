package ai.posttrain.stage;

import ai.posttrain.config.PosttrainConfig.EvalSettings;
import ai.posttrain.eval.EvalItems;
import ai.posttrain.eval.EvalOutcome;
import ai.posttrain.eval.EvalReport;
import ai.posttrain.eval.Evaluator;
import ai.posttrain.model.ModelBytes;
import ai.posttrain.model.ModelConfig;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * Evaluates a stage's model on every held-out suite into the run's {@code eval} table (one row per
 * stage, checkpoint, suite and metric) and {@code eval_samples} (every scored completion, its stage and checkpoint).
 */
final class StageEvaluation {
    static final StructType EVAL = new StructType()
            .add("stage", DataTypes.StringType).add("checkpoint", DataTypes.StringType)
            .add("suite", DataTypes.StringType).add("metric", DataTypes.StringType)
            .add("value", DataTypes.DoubleType).add("n", DataTypes.IntegerType);
    private StageEvaluation() {}

    /** Records per suite for the untrained baseline: it scores about zero, and decodes every prompt to the limit. */
    static final int BASELINE_PER_SUITE = 10;

    /** @param checkpoint "start" (the untrained baseline, {@value #BASELINE_PER_SUITE} records per suite) or "end" */
    static EvalReport run(StageContext ctx, String stage, String checkpoint, ComputationGraph model, ModelConfig config) {
        EvalSettings settings = ctx.config().eval();
        int perSuite = checkpoint.equals("start") ? Math.min(BASELINE_PER_SUITE, settings.perSuite()) : settings.perSuite();
        EvalItems.Read items = EvalItems.read(ctx.spark(), settings.suites(), ctx.builtin(), ctx.tokenCounter(),
                ctx.config().data().maxTokens(), perSuite);
        for (var rejected : items.rejected()) {
            ctx.tables().appendReplacing("rejected", rejected.withColumn("origin", lit("eval:" + stage)),
                    col("origin").equalTo("eval:" + stage));
        }
        long t0 = System.nanoTime();
        EvalReport report;
        try (SparkProgress progress = new SparkProgress(ctx.sc(), ctx.console(), "[" + stage + "] eval (" + checkpoint + ", "
                + items.items().size() + " prompts)")) {
            report = new Evaluator(ctx.sc(), ctx.template(), settings.maxNewTokens(), settings.batchSize())
                    .evaluate(ModelBytes.of(model, config), items.items());
        }
        ctx.console().printf("[%s] eval (%s, %.0fs): %s%n", stage, checkpoint, (System.nanoTime() - t0) / 1e9, report.toJson());
        write(ctx, stage, checkpoint, report);
        return report;
    }

    private static void write(StageContext ctx, String stage, String checkpoint, EvalReport report) {
        List<Row> rows = new ArrayList<>();
        report.suites().forEach((suite, m) -> {
            rows.add(RowFactory.create(stage, checkpoint, suite, m.metric(), m.value(), m.n()));
            rows.add(RowFactory.create(stage, checkpoint, suite, "format_rate", m.formatRate(), m.n()));
            rows.add(RowFactory.create(stage, checkpoint, suite, "stop_rate", m.stopRate(), m.n()));
            rows.add(RowFactory.create(stage, checkpoint, suite, "mean_new_tokens", m.meanNewTokens(), m.n()));
            m.byDifficulty().forEach((level, v) ->
                    rows.add(RowFactory.create(stage, checkpoint, suite, m.metric() + "@difficulty" + level, v, m.n())));
        });
        var samples = EvalOutcome.table(ctx.spark(), report.outcomes())
                .select(lit(stage).as("stage"), lit(checkpoint).as("checkpoint"), col("*"));
        var same = col("stage").equalTo(stage).and(col("checkpoint").equalTo(checkpoint));
        ctx.tables().appendReplacing("eval", ctx.spark().createDataFrame(rows, EVAL), same);
        ctx.tables().appendReplacing("eval_samples", samples, same);
    }
}
