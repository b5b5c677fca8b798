package ai.posttrain.report;

import ai.posttrain.rollout.RolloutSchema;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.row_number;

/**
 * Sample generations: a few held-out completions of the latest evaluated model per suite, and the
 * best and worst rollout of each RL sub-stage's last iteration.
 */
final class SamplesSection {
    static final int PER_SUITE = 2;
    /** Long prompts and completions are cut to this many characters. */
    static final int MAX_CHARS = 600;

    private SamplesSection() {}

    static void render(ReportPage page, RunTables tables) {
        page.heading("Sample generations");
        evalSamples(page, tables);
        rollouts(page, tables);
    }

    private static void evalSamples(ReportPage page, RunTables tables) {
        page.subheading("Held-out evaluation");
        Optional<Dataset<Row>> samples = tables.table("eval_samples");
        if (samples.isEmpty()) {
            page.notRunYet("Evaluation");
            return;
        }
        Dataset<Row> trained = samples.get().where(col("checkpoint").equalTo("end"));
        List<String> stages = trained.select("stage").distinct().collectAsList().stream().map(r -> r.getString(0))
                .sorted(tables.byStageOrder()).toList();
        if (stages.isEmpty()) {
            page.notRunYet("Evaluation of a trained model");
            return;
        }
        String latest = stages.get(stages.size() - 1);
        page.paragraph("Model after " + latest + ", " + PER_SUITE + " completions per suite.");
        List<Row> picked = trained.where(col("stage").equalTo(latest))
                .withColumn("rank", row_number().over(Window.partitionBy("suite").orderBy("id")))
                .where(col("rank").leq(PER_SUITE)).orderBy("suite", "id")
                .select("suite", "id", "metric", "passed", "score", "prompt", "completion").collectAsList();
        List<List<Object>> rows = new ArrayList<>();
        for (Row r : picked) {
            rows.add(Arrays.asList(r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), cut(r.getString(5)), cut(r.getString(6))));
        }
        page.table(List.of("suite", "id", "metric", "passed", "score", "prompt", "completion"), rows);
    }

    private static void rollouts(ReportPage page, RunTables tables) {
        page.subheading("RL rollouts");
        Optional<Dataset<Row>> rollouts = tables.table(RolloutSchema.TABLE);
        if (rollouts.isEmpty()) {
            page.notRunYet("RL");
            return;
        }
        Dataset<Row> last = rollouts.get()
                .withColumn("last_iteration", max("iteration").over(Window.partitionBy("sub_stage")))
                .where(col("iteration").equalTo(col("last_iteration")));
        Dataset<Row> ranked = last
                .withColumn("best", row_number().over(Window.partitionBy("sub_stage").orderBy(col("reward").desc(), col("prompt_id"), col("sample_index"))))
                .withColumn("worst", row_number().over(Window.partitionBy("sub_stage").orderBy(col("reward").asc(), col("prompt_id"), col("sample_index"))));
        List<Row> picked = ranked.where(col("best").equalTo(1).or(col("worst").equalTo(1)))
                .orderBy(col("sub_stage"), col("reward").desc())
                .select("sub_stage", "iteration", "reward", "verifier_correct", "finish_reason", "prompt", "completion")
                .collectAsList();
        page.paragraph("The highest- and lowest-reward completion of each sub-stage's last iteration.");
        List<List<Object>> rows = new ArrayList<>();
        for (Row r : picked) {
            rows.add(Arrays.asList(r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), cut(r.getString(5)), cut(r.getString(6))));
        }
        page.table(List.of("sub-stage", "iteration", "reward", "verifier correct", "finish", "prompt", "completion"), rows);
    }

    static String cut(String s) {
        if (s == null || s.length() <= MAX_CHARS) return s;
        return s.substring(0, MAX_CHARS) + " … (" + (s.length() - MAX_CHARS) + " more characters)";
    }
}
