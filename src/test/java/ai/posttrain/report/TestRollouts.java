package ai.posttrain.report;

import ai.posttrain.rollout.RolloutSchema;
import ai.posttrain.run.RunDir;
import ai.posttrain.run.TableWriter;
import ai.posttrain.stage.MetricsLog;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;

/**
 * A {@code rollouts} table built row by row, written the way the RL stage writes it (TableWriter,
 * {@link RolloutSchema#SCHEMA}, one partition per sub-stage and iteration). The RL stage is not merged
 * yet; once it is, these tests should read a real RL run instead.
 *
 * <p>Shape: sub-stage {@code stem} (iterations 0-2, verifier and reward model) and {@code preference}
 * (iterations 0-1, reward model only), {@value #PROMPTS} prompts x {@value #SAMPLES} samples each. In
 * stem the first {@link #CORRECT}[iteration] samples of a prompt are correct, sample 3 is always wrong
 * but gets the highest reward-model score, and the reward-model score rises every iteration.
 */
final class TestRollouts {
    static final int PROMPTS = 2;
    static final int SAMPLES = 4;
    static final int[] CORRECT = {2, 3, 1};
    static final int PREFERENCE_ITERATIONS = 2;
    /** Text in every completion, to show the report escapes HTML. */
    static final String MARKUP = "answer <b>42</b> & done";

    private TestRollouts() {}

    static boolean stemCorrect(int iteration, int sample) { return sample < CORRECT[iteration]; }

    static double stemRmScore(int iteration, int sample) { return (sample == 3 ? 2.0 : 1.0 - 0.2 * sample) + 0.1 * iteration; }

    static int length(int iteration, int sample) { return 10 + 5 * iteration + sample; }

    static void write(SparkSession spark, RunDir run) {
        List<Row> rows = new ArrayList<>();
        for (int it = 0; it < CORRECT.length; it++) {
            for (int p = 0; p < PROMPTS; p++) {
                for (int s = 0; s < SAMPLES; s++) {
                    boolean correct = stemCorrect(it, s);
                    int length = length(it, s);
                    Map<String, Double> components = new LinkedHashMap<>();
                    components.put("math", correct ? 1.0 : 0.0);
                    components.put("format", 0.1);
                    components.put("overlong_penalty", -0.001 * length);
                    double reward = components.values().stream().mapToDouble(Double::doubleValue).sum();
                    boolean flagged = it == 1 && p == 0 && s == 2;
                    rows.add(row(run.id(), "stem", it, p, s, components, reward, correct, stemRmScore(it, s), 0.01 * (it + 1),
                            flagged, length));
                }
            }
        }
        for (int it = 0; it < PREFERENCE_ITERATIONS; it++) {
            for (int p = 0; p < PROMPTS; p++) {
                for (int s = 0; s < SAMPLES; s++) {
                    double rm = 0.5 * s - 0.1 * it;
                    rows.add(row(run.id(), "preference", it, p, s, Map.of("reward_model", rm), rm, null, rm, 0.02, false,
                            length(it, s)));
                }
            }
        }
        Dataset<Row> all = spark.createDataFrame(rows, RolloutSchema.SCHEMA);
        TableWriter tables = new TableWriter(run);
        for (String subStage : List.of("stem", "preference")) {
            int iterations = subStage.equals("stem") ? CORRECT.length : PREFERENCE_ITERATIONS;
            for (int it = 0; it < iterations; it++) {
                Map<String, String> partition = new LinkedHashMap<>();
                partition.put(RolloutSchema.PARTITION_COLUMNS[0], subStage);
                partition.put(RolloutSchema.PARTITION_COLUMNS[1], String.valueOf(it));
                tables.writePartition(RolloutSchema.TABLE, partition,
                        all.where(col("sub_stage").equalTo(subStage).and(col("iteration").equalTo(it)))
                                .drop(RolloutSchema.PARTITION_COLUMNS));
            }
        }
    }

    private static Row row(String run, String subStage, int iteration, int prompt, int sample, Map<String, Double> components,
                           double reward, Boolean correct, Double rm, double kl, boolean flagged, int length) {
        List<Integer> tokens = new ArrayList<>();
        List<Float> logprobs = new ArrayList<>();
        for (int t = 0; t < length; t++) {
            tokens.add(100 + t);
            logprobs.add(-0.5f - 0.01f * t);
        }
        return RowFactory.create(run, subStage, iteration, iteration, subStage + "-p" + prompt, sample,
                subStage.equals("stem") ? "stem" : "chat", "prompt " + prompt + " of " + subStage,
                "<think>sample " + sample + "</think> " + MARKUP, tokens, logprobs, logprobs,
                new LinkedHashMap<>(components), reward, reward - 0.5, correct, rm, kl, flagged, flagged ? "timeout" : null,
                sample == 3 ? "length" : "stop", length, 0.01, 0.001);
    }

    /** A metrics row with a stage's own values in {@code extra}, as the RL stage records them. */
    static void writeRlMetrics(SparkSession spark, RunDir run) {
        Map<String, Double> extra = new LinkedHashMap<>();
        extra.put("kl", 0.01);
        extra.put("hack_rm_up_verifier_down", 0.0);
        Row row = RowFactory.create("rl", "stem", 0, 1.5, 1e-4, 100L, 10.0, 1.0, "2025-01-01T00:00:00Z", extra);
        new TableWriter(run).append("metrics", spark.createDataFrame(List.of(row), MetricsLog.SCHEMA));
    }
}
