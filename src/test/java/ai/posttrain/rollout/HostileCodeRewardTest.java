package ai.posttrain.rollout;

import ai.posttrain.LocalSpark;
import ai.posttrain.reward.RewardMix;
import ai.posttrain.reward.SandboxLimits;
import ai.posttrain.tokenizer.ChatTemplate;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile "completions" scored by the RL reward transformer on Spark executors, next to honest ones:
 * every hostile one is a zero reward with a flag, and the job goes on to score the honest ones.
 */
class HostileCodeRewardTest {
    private final SparkSession spark = LocalSpark.get();
    private static final SandboxLimits SHORT = new SandboxLimits(2_000, 256L << 20, 2, 32, 1L << 20);
    private static final List<String> TESTS = List.of("assert f(2) == 5");

    static Map<String, String> hostile() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("read_outside", "def f(x):\n    return len(open('/etc/passwd').read())\nf(0)\n");
        m.put("write_outside", "open('/tmp/posttrain-hostile-' + str(id(0)), 'w').write('x')\ndef f(x):\n    return 2*x+1\n");
        m.put("socket", "import socket\ns = socket.socket(); s.connect(('1.1.1.1', 80))\ndef f(x):\n    return 2*x+1\n");
        m.put("fork_bomb", "import os\nwhile True:\n    os.fork()\n");
        m.put("infinite_loop", "def f(x):\n    while True:\n        pass\n");
        m.put("huge_allocation", "x = bytearray(8 * 1024 ** 3)\ndef f(x):\n    return 2*x+1\n");
        return m;
    }

    @Test
    void hostileCodeScoresZeroWithAFlagAndHonestCodeStillScores() {
        RewardMix mix = new RewardMix(new RewardMix.Weights(Map.of("code", 1.0), 5.0, 256, 0, 0, 12, 0, 0), SHORT);
        RewardScorer scorer = new RewardScorer(spark, mix, null, new ChatTemplate(RolloutFixtures.BYTES));
        List<Row> rows = new ArrayList<>();
        int i = 0;
        for (Map.Entry<String, String> e : hostile().entrySet())
            rows.add(RolloutFixtures.row(0, e.getKey(), 0, "code", "write f", "```python\n" + e.getValue() + "```", null, TESTS, 0));
        rows.add(RolloutFixtures.row(0, "honest", 0, "code", "write f", "```python\ndef f(x):\n    return 2*x+1\n```", null, TESTS, 0));
        rows.add(RolloutFixtures.row(0, "wrong", 0, "code", "write f", "```python\ndef f(x):\n    return x\n```", null, TESTS, 0));
        long t0 = System.nanoTime();
        List<Row> scored = scorer.transform(RolloutFixtures.frame(spark, rows)).collectAsList();
        System.out.printf("hostile scoring: %.1fs%n", (System.nanoTime() - t0) / 1e9);
        assertEquals(rows.size(), scored.size(), "every row scored, none lost");
        for (Row r : scored) {
            String id = r.getString(r.fieldIndex("prompt_id"));
            double reward = r.getDouble(r.fieldIndex("reward"));
            boolean flagged = r.getBoolean(r.fieldIndex("flagged"));
            String reason = r.getString(r.fieldIndex("flag_reason"));
            switch (id) {
                case "honest" -> {
                    assertEquals(1.0, reward, 1e-9);
                    assertFalse(flagged);
                    assertTrue(r.getBoolean(r.fieldIndex("verifier_correct")));
                }
                case "wrong" -> {
                    assertEquals(0.0, reward, 1e-9);
                    assertFalse(flagged, "a wrong answer is not hostile");
                }
                default -> {
                    assertEquals(0.0, reward, 1e-9, id);
                    assertTrue(flagged, id + " not flagged");
                    assertNotNull(reason, id);
                    assertFalse(r.getBoolean(r.fieldIndex("verifier_correct")), id);
                }
            }
        }
    }
}
