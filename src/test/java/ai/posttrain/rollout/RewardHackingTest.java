package ai.posttrain.rollout;

import ai.posttrain.LocalSpark;
import ai.posttrain.reward.HackingMonitor;
import ai.posttrain.reward.RewardMix;
import ai.posttrain.reward.SandboxLimits;
import ai.posttrain.tokenizer.ChatTemplate;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A deliberately exploitable reward (it pays for length) scored by the real reward transformer over two
 * iterations: in the second the "policy" pads its answers and gets them wrong, the total reward rises,
 * and the monitor flags both the proxy-up/verifier-down trend and the length blow-up.
 */
class RewardHackingTest {
    private final SparkSession spark = LocalSpark.get();

    private static final String PADDING = " and so on and so forth".repeat(3);

    @Test
    void aLengthPayingRewardIsFlaggedByTheMonitor() {
        RewardMix mix = new RewardMix(new RewardMix.Weights(Map.of("math", 1.0, "length", 2.0), 5.0, 96, 0, 0, 12, 0, 0),
                SandboxLimits.defaults());
        RewardScorer scorer = new RewardScorer(spark, mix, null, new ChatTemplate(RolloutFixtures.BYTES));
        HackingMonitor monitor = new HackingMonitor(new HackingMonitor.Bounds(1000, 1.5, 10, 0.25, 0.02, 1.0, 1));
        List<HackingMonitor.Verdict> verdicts = new ArrayList<>();
        List<Double> rewards = new ArrayList<>();
        for (int it = 0; it < 2; it++) {
            List<Row> rows = new ArrayList<>();
            for (int p = 0; p < 4; p++) {
                int answer = 10 + p;
                for (int s = 0; s < 4; s++) {
                    // Iteration 0: short, mostly right. Iteration 1: long padding, mostly wrong.
                    boolean right = it == 0 ? s != 3 : s == 0;
                    String body = "<think>" + (it == 1 ? PADDING : "add") + "</think>" + (right ? answer : answer + 1);
                    rows.add(RolloutFixtures.row(it, "p" + p, s, "math", "what is " + answer + "?", body, Integer.toString(answer), null, 0));
                }
            }
            List<Row> scored = scorer.transform(RolloutFixtures.frame(spark, rows)).collectAsList();
            double reward = 0, proxy = 0, length = 0, correct = 0;
            for (Row r : scored) {
                reward += r.getDouble(r.fieldIndex("reward")) / scored.size();
                proxy += r.<String, Double>getJavaMap(r.fieldIndex("reward_components")).get("length") / scored.size();
                length += r.getInt(r.fieldIndex("length")) / (double) scored.size();
                correct += r.getBoolean(r.fieldIndex("verifier_correct")) ? 1.0 / scored.size() : 0;
            }
            rewards.add(reward);
            verdicts.add(monitor.observe(new HackingMonitor.Observation(Map.of("length", proxy), correct, reward, length, 0, Double.NaN)));
        }
        assertTrue(rewards.get(1) > rewards.get(0), "the exploit pays: " + rewards);
        assertFalse(verdicts.get(0).signal(), "nothing to flag at the start: " + verdicts.get(0));
        assertTrue(verdicts.get(1).flags().get("proxy_up_verifier_down"), verdicts.get(1).toString());
        assertTrue(verdicts.get(1).flags().get("length_blowup"), verdicts.get(1).toString());
        assertEquals("proxy_up_verifier_down[length],length_blowup", verdicts.get(1).describe());
    }

    @Test
    void aHighFlaggedRateAndKlOverTheBoundAreFlagged() {
        HackingMonitor monitor = new HackingMonitor(new HackingMonitor.Bounds(1000, 10, 10, 0.25, 0.02, 0.1, 1));
        monitor.observe(new HackingMonitor.Observation(Map.of(), 0.5, 1, 20, 0.0, 0.01));
        Map<String, Boolean> f = monitor.observe(new HackingMonitor.Observation(Map.of(), 0.5, 1, 20, 0.5, 0.3)).flags();
        assertTrue(f.get("flagged_rate_high") && f.get("kl_over_bound"), f.toString());
        assertFalse(f.get("proxy_up_verifier_down") || f.get("length_blowup"), f.toString());
    }
}
