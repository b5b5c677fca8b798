package ai.posttrain.rollout;

import ai.posttrain.LocalSpark;
import ai.posttrain.reward.MathVerifier;
import ai.posttrain.reward.RewardMix;
import ai.posttrain.reward.SandboxLimits;
import ai.posttrain.reward.Verifier;
import ai.posttrain.reward.VerifierDeadline;
import ai.posttrain.reward.VerifierResult;
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
 * A verifier stuck on a hostile input, through the real RewardScorer on Spark: the row is a flagged zero after
 * the deadline and the others are scored; with every thread of the JVM's capped pool stuck, verifications are
 * refused (flagged, with the count) instead of piling up threads, and they resume once the stuck ones return.
 */
class VerifierTimeoutTest {
    private final SparkSession spark = LocalSpark.get();

    /** Stuck (a busy loop that ignores interrupts, as a backtracking regex would) while {@link #stuck} is set. */
    static volatile boolean stuck = true;

    static final class StuckOnHostileInput implements Verifier {
        private final MathVerifier math = new MathVerifier();

        @Override public String name() { return "math"; }

        @Override
        public VerifierResult check(String completion, String reference) {
            if (completion.contains("HOSTILE")) {
                long spins = 0;
                while (stuck) spins++;
                if (spins < 0) throw new IllegalStateException();   // keeps the loop from being optimised away
            }
            return math.check(completion, reference);
        }
    }

    private List<Row> score(RewardScorer scorer, String... completions) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < completions.length; i++)
            rows.add(RolloutFixtures.row(0, "p" + i, 0, "math", "what is 2+2?", completions[i], "4", null, 0));
        return scorer.transform(RolloutFixtures.frame(spark, rows).coalesce(1)).orderBy("prompt_id").collectAsList();
    }

    private static String flag(Row r) { return r.getString(r.fieldIndex("flag_reason")); }

    @Test
    void aStuckVerifierIsAFlaggedZeroAfterItsDeadlineAndTheCappedPoolRefusesWhenFull() throws Exception {
        int cap = 2;   // rows are scored one after another: two stuck verifiers leave no thread
        RewardMix mix = new RewardMix(new RewardMix.Weights(Map.of("math", 1.0, "format", 0.2), 5.0, 64, 0, 0, 12, 0, 0),
                SandboxLimits.defaults(), new VerifierDeadline(300, cap)).withVerifier("math", new StuckOnHostileInput());
        RewardScorer scorer = new RewardScorer(spark, mix, null, new ChatTemplate(RolloutFixtures.BYTES));
        int before = VerifierDeadline.stuckThreads();
        try {
            long t0 = System.nanoTime();
            List<Row> first = score(scorer, "<think>2+2</think>4", "HOSTILE " + "9".repeat(50), "<think>x</think>5");
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("scored with a stuck verifier in %.1fs%n", seconds);
            assertEquals(3, first.size(), "every row scored");
            Row right = first.get(0), hostile = first.get(1), wrong = first.get(2);
            assertTrue(right.getBoolean(right.fieldIndex("verifier_correct")));
            assertEquals(1.2, right.getDouble(right.fieldIndex("reward")), 1e-9);
            assertTrue(hostile.getBoolean(hostile.fieldIndex("flagged")));
            assertEquals(0.0, hostile.getDouble(hostile.fieldIndex("reward")));
            assertTrue(flag(hostile).startsWith("verifier_timeout:math: no verdict after 300 ms"), flag(hostile));
            assertFalse(wrong.getBoolean(wrong.fieldIndex("flagged")), flag(wrong));
            assertEquals(before + 1, VerifierDeadline.stuckThreads());

            // A second stuck row takes the pool's last spare thread; then it is full: refused at once, and reported.
            List<Row> second = score(scorer, "HOSTILE again", "<think>2+2</think>4");
            assertTrue(flag(second.get(0)).startsWith("verifier_timeout:math"), flag(second.get(0)));
            Row refused = second.get(1);
            assertTrue(refused.getBoolean(refused.fieldIndex("flagged")));
            assertTrue(flag(refused).startsWith("verifier_busy:math,verifier_busy:format: all 2 verifier threads of this JVM are taken ("
                    + (before + 2) + " stuck past their deadline)"), flag(refused));
            assertEquals(0.0, refused.getDouble(refused.fieldIndex("reward")));
        } finally {
            stuck = false;
        }
        // Once the stuck verifiers return, their threads are free and counted as such.
        for (int i = 0; i < 100 && VerifierDeadline.stuckThreads() > before; i++) Thread.sleep(20);
        assertEquals(before, VerifierDeadline.stuckThreads());
        Row again = score(scorer, "<think>2+2</think>4").get(0);
        assertFalse(again.getBoolean(again.fieldIndex("flagged")), flag(again));
    }

    @Test
    void aSlowRewardModelCallIsFlaggedAsAVerifierTimeout() {
        VerifierDeadline deadline = new VerifierDeadline(50, 4);
        VerifierDeadline.Outcome<double[]> o = deadline.call("reward_model", 50, () -> {
            Thread.sleep(5_000);
            return new double[0];
        });
        assertEquals("verifier_timeout:reward_model", o.flag());
        RewardMix mix = new RewardMix(new RewardMix.Weights(Map.of("reward_model", 1.0), 5.0, 64, 0, 0, 12, 0, 0), SandboxLimits.defaults());
        RewardMix.Scored s = mix.score(new RewardMix.Input("conversation", "hi", new int[2], true, null, List.of(), Double.NaN, null, o.flag()));
        assertTrue(s.flagged());
        assertEquals(0.0, s.reward());
        assertTrue(s.flagReason().startsWith("verifier_timeout:reward_model"), s.flagReason());
    }
}
