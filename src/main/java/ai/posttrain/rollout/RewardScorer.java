package ai.posttrain.rollout;

import ai.posttrain.run.KillPoints;
import ai.posttrain.model.ModelBytes;
import ai.posttrain.model.Sample;
import ai.posttrain.reward.RewardMix;
import ai.posttrain.reward.RewardModel;
import ai.posttrain.reward.VerifierDeadline;
import ai.posttrain.tokenizer.ChatTemplate;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Scores completions with a sub-stage's {@link RewardMix}: per-sample KL to the reference (mean k3 over
 * the completion's tokens, where {@code ref_logprobs} is present), the reward model's score (when the mix
 * uses it), each reward component, the clipped total, verifier correctness and flags. Every row is scored
 * in isolation; a failing row is a flagged zero.
 */
public final class RewardScorer extends RowTransformer {
    private final RewardMix mix;
    private final Broadcast<ModelBytes> rewardModel;   // null when the mix has no reward_model component
    private final ChatTemplate template;

    public RewardScorer(SparkSession spark, RewardMix mix, ModelBytes rewardModel, ChatTemplate template) {
        super("rewardScorer");
        if (mix.weights().rewards().containsKey("reward_model") && rewardModel == null)
            throw new IllegalArgumentException("the reward mix uses reward_model but no reward model was given");
        this.mix = mix;
        this.rewardModel = rewardModel == null ? null : JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(rewardModel);
        this.template = template;
    }

    @Override List<String> inputColumns() {
        return List.of("prompt", "domain", "completion", "token_ids", "logprobs", "finish_reason", "answer", "tests");
    }

    @Override
    StructType outputSchema(StructType in) {
        StructType s = RolloutSchema.SCHEMA;
        return RolloutRows.replacing(in, s.apply("kl"), s.apply("rm_score"), s.apply("reward_components"), s.apply("reward"),
                s.apply("verifier_correct"), s.apply("flagged"), s.apply("flag_reason"), s.apply("score_seconds"),
                DataTypes.createStructField("ref_logprobs", DataTypes.createArrayType(DataTypes.FloatType, false), true));
    }

    @Override
    Iterator<Row> apply(Iterator<Row> rows, StructType in, StructType out) {
        List<Row> all = new ArrayList<>();
        rows.forEachRemaining(all::add);
        if (all.isEmpty()) return all.iterator();
        VerifierDeadline.Outcome<double[]> rmOutcome = rewardModel == null ? null
                // The reward model scores the partition at once: its deadline is the per-row one times the rows.
                : mix.deadline().call("reward_model", mix.deadline().timeoutMillis() * all.size(), () -> rmScores(all));
        double[] rm = rmOutcome == null ? null : rmOutcome.ok() ? rmOutcome.value() : nans(all.size());
        String rmFailure = rmOutcome == null || rmOutcome.ok() ? null : rmOutcome.flag();
        List<Row> result = new ArrayList<>(all.size());
        for (int i = 0; i < all.size(); i++) {
            Row r = all.get(i);
            int[] tokens = RolloutRows.ints(r, "token_ids");
            Double kl = in.getFieldIndex("ref_logprobs").isDefined()
                    ? meanK3(RolloutRows.floats(r, "logprobs"), RolloutRows.floats(r, "ref_logprobs")) : null;
            List<String> tests = RolloutRows.strings(r, "tests");
            int ai = r.fieldIndex("answer");
            RewardMix.Scored s = mix.score(new RewardMix.Input(r.getString(r.fieldIndex("domain")),
                    r.getString(r.fieldIndex("completion")), tokens,
                    Sample.STOP.equals(r.getString(r.fieldIndex("finish_reason"))),
                    r.isNullAt(ai) ? null : r.getString(ai), tests, rm == null ? null : rm[i], kl, rmFailure));
            Map<String, Object> v = new HashMap<>();
            v.put("kl", kl);
            v.put("rm_score", rm == null ? null : rm[i]);
            v.put("reward_components", RolloutRows.scalaMap(s.components()));
            v.put("reward", s.reward());
            v.put("verifier_correct", s.verifierCorrect());
            v.put("flagged", s.flagged());
            v.put("flag_reason", s.flagReason());
            v.put("score_seconds", s.seconds());
            if (!in.getFieldIndex("ref_logprobs").isDefined()) v.put("ref_logprobs", null);
            result.add(RolloutRows.with(r, in, out, v));
            KillPoints.reach("rl-scoring");
        }
        return result.iterator();
    }

    private static double[] nans(int n) {
        double[] out = new double[n];
        java.util.Arrays.fill(out, Double.NaN);
        return out;
    }

    /** The reward model's score of every row; a failure leaves NaN (the mix then flags the row). */
    private double[] rmScores(List<Row> all) {
        double[] out = new double[all.size()];
        try {
            RewardModel model = new RewardModel(rewardModel.value().restore());
            List<int[]> sequences = new ArrayList<>();
            for (Row r : all) {
                int[] p = RolloutGenerator.render(template, r.getString(r.fieldIndex("prompt")));
                int[] c = RolloutRows.ints(r, "token_ids");
                int[] s = new int[p.length + c.length];
                System.arraycopy(p, 0, s, 0, p.length);
                System.arraycopy(c, 0, s, p.length, c.length);
                sequences.add(s);
            }
            return model.scores(sequences, template);
        } catch (RuntimeException e) {
            java.util.Arrays.fill(out, Double.NaN);
            return out;
        }
    }

    /** Mean over tokens of k3 = exp(ref - logp) - (ref - logp) - 1 (a non-negative KL estimate); null without ref. */
    static Double meanK3(float[] logp, float[] ref) {
        if (ref == null || logp == null || logp.length == 0 || ref.length != logp.length) return null;
        double sum = 0;
        for (int i = 0; i < logp.length; i++) {
            double d = ref[i] - logp[i];
            sum += Math.exp(d) - d - 1;
        }
        return sum / logp.length;
    }
}
