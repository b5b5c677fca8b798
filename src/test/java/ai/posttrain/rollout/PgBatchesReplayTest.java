package ai.posttrain.rollout;

import ai.posttrain.LocalSpark;
import ai.posttrain.model.head.LabelLayout;
import ai.posttrain.model.head.Objective;
import ai.posttrain.tokenizer.ChatTemplate;
import ai.posttrain.train.SftExample;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Replayed SFT conversations (PPO-ptx) join the pg rows of an update as cross-entropy rows on their trained tokens. */
class PgBatchesReplayTest {
    private final SparkSession spark = LocalSpark.get();
    private final ChatTemplate template = ChatTemplate.of(RolloutFixtures.BYTES);

    /** Groups p1 {1,0,0,1} and p3 {2,0,1,1} carry advantages (8 pg rows); p2's equal rewards do not. */
    private Dataset<Row> scored() {
        List<Row> rows = new ArrayList<>();
        double[][] groups = {{1, 0, 0, 1}, {0.5, 0.5, 0.5, 0.5}, {2, 0, 1, 1}};
        for (int g = 0; g < groups.length; g++)
            for (int i = 0; i < 4; i++)
                rows.add(RolloutFixtures.row(0, "p" + (g + 1), i, "math", "what is 2+" + g, "answer " + i, "1", null, groups[g][i]));
        return new GroupAdvantages(true).transform(RolloutFixtures.frame(spark, rows))
                .withColumn("ref_logprobs", lit(null).cast(DataTypes.createArrayType(DataTypes.FloatType)));
    }

    /** 40 ten-token conversations whose last four tokens are the trained reply. */
    private PgBatches.Replay pool(double fraction) {
        List<SftExample> list = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            int[] tokens = new int[10];
            boolean[] trained = new boolean[10];
            for (int t = 0; t < 10; t++) {
                tokens[t] = 100 + i + t;
                trained[t] = t >= 6;
            }
            list.add(new SftExample("r" + i, "math", tokens, trained));
        }
        JavaRDD<SftExample> rdd = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(list, 2);
        return new PgBatches.Replay(rdd, list.size(), fraction);
    }

    /** Objective codes of every row of every minibatch, with the row's trained-token count. */
    private static List<double[]> rows(JavaRDD<MultiDataSet> batches) {
        List<double[]> out = new ArrayList<>();
        for (MultiDataSet m : batches.collect()) {
            INDArray labels = m.getLabels(0), mask = m.getLabelsMaskArray(0);
            for (int r = 0; r < labels.size(0); r++)
                out.add(new double[]{labels.getDouble(r, LabelLayout.OBJECTIVE, 0), mask.getRow(r).sumNumber().doubleValue(),
                        m.getFeatures(0).getDouble(r, 0, 0)});
        }
        return out;
    }

    @Test
    void replayedConversationsAreSftRowsOnTheirTrainedTokensBesideEveryPgRow() {
        List<double[]> rows = rows(PgBatches.build(scored(), template, 4, 1, 7L, pool(2.0)));
        int pg = 0, sft = 0;
        Set<Double> replayFirstTokens = new HashSet<>();
        for (double[] r : rows) {
            if (r[0] == Objective.PG.code) pg++;
            if (r[0] == Objective.SFT.code) {
                sft++;
                assertEquals(4.0, r[1], "a replayed row trains exactly its reply's four tokens");
                replayFirstTokens.add(r[2]);
            }
        }
        assertEquals(0, rows.size() % 4, "whole minibatches");
        assertTrue(pg >= 8, "every pg row is trained: " + pg);
        // fraction 2 of 8 pg rows: a seeded sample of about 16 of the 40 conversations.
        assertTrue(replayFirstTokens.size() >= 6 && replayFirstTokens.size() <= 28, "replayed conversations: " + replayFirstTokens.size());
        assertTrue(sft >= replayFirstTokens.size(), "sft rows " + sft);
        assertTrue(replayFirstTokens.stream().allMatch(t -> t >= 100 && t < 140), "replay rows are the pool's conversations");
    }

    @Test
    void withoutReplayOnlyPgRows() {
        List<double[]> rows = rows(PgBatches.build(scored(), template, 4, 1, 7L, null));
        assertEquals(8, rows.size(), "8 pg rows, two whole minibatches");
        assertTrue(rows.stream().allMatch(r -> r[0] == Objective.PG.code));
    }

    @Test
    void noPgRowNoReplayEither() {
        Dataset<Row> equalRewards = scored().where(lit(false));
        assertEquals(0, PgBatches.build(equalRewards, template, 4, 1, 7L, pool(2.0)).count());
    }

    /**
     * 48 pg rows (8 groups, completions of 1 to 60 bytes) and conversations of 10 to 49 tokens, 8-row minibatches:
     * within the window each kind is dealt out shortest first, every minibatch of a window takes its equal share of each kind,
     * every row is trained once, and the minibatches pad far less than the longest row everywhere.
     */
    @Test
    void minibatchesHoldEqualSharesOfEachKindCutByLength() {
        List<Row> rollouts = new ArrayList<>();
        for (int g = 0; g < 8; g++)
            for (int i = 0; i < 6; i++)
                rollouts.add(RolloutFixtures.row(0, "p" + g, i, "math", "q" + g, "x".repeat(1 + (g * 6 + i) * 37 % 60), "1", null, i % 2));
        Dataset<Row> scored = new GroupAdvantages(true).transform(RolloutFixtures.frame(spark, rollouts))
                .withColumn("ref_logprobs", lit(null).cast(DataTypes.createArrayType(DataTypes.FloatType)));
        List<SftExample> conversations = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            int length = 10 + i * 13 % 40;
            int[] tokens = new int[length];
            boolean[] trained = new boolean[length];
            java.util.Arrays.fill(tokens, 7);
            trained[length - 1] = true;
            conversations.add(new SftExample("r" + i, "math", tokens, trained));
        }
        PgBatches.Replay pool = new PgBatches.Replay(
                JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(conversations, 3), 40, 0.25);

        List<MultiDataSet> batches = PgBatches.build(scored, template, 8, 1, 11L, pool).collect();
        int pgRows = 0, replayRows = 0, lastPgMax = 0, lastReplayMax = 0;
        long padded = 0, positions = 0, longest = 0;
        Set<Integer> replayCounts = new HashSet<>();
        for (int b = 0; b < batches.size(); b++) {
            MultiDataSet m = batches.get(b);
            if (b % ai.posttrain.train.Minibatches.WINDOW_BATCHES == 0) {   // a new window: shares and order start again
                lastPgMax = lastReplayMax = 0;
                replayCounts.clear();
            }
            INDArray labels = m.getLabels(0), features = m.getFeaturesMaskArray(0);
            int pgMin = Integer.MAX_VALUE, pgMax = 0, replayMin = Integer.MAX_VALUE, replayMax = 0, replay = 0;
            for (int r = 0; r < labels.size(0); r++) {
                int length = features.getRow(r).sumNumber().intValue();
                positions += length;
                longest = Math.max(longest, length);
                if (labels.getDouble(r, LabelLayout.OBJECTIVE, 0) == Objective.PG.code) {
                    pgMin = Math.min(pgMin, length);
                    pgMax = Math.max(pgMax, length);
                } else {
                    replay++;
                    replayMin = Math.min(replayMin, length);
                    replayMax = Math.max(replayMax, length);
                }
            }
            padded += features.length();
            pgRows += labels.size(0) - replay;
            replayRows += replay;
            replayCounts.add(replay);
            if (pgMax > 0) {
                assertTrue(pgMin >= lastPgMax, "pg rows dealt shortest first: " + pgMin + " after " + lastPgMax);
                lastPgMax = pgMax;
            }
            if (replay > 0) {
                assertTrue(replayMin >= lastReplayMax, "replayed rows dealt shortest first: " + replayMin + " after " + lastReplayMax);
                lastReplayMax = replayMax;
            }
            assertTrue(replayCounts.stream().mapToInt(Integer::intValue).max().getAsInt()
                    - replayCounts.stream().mapToInt(Integer::intValue).min().getAsInt() <= 1, "equal shares: " + replayCounts);
        }
        assertTrue(pgRows >= 48 && pgRows < 48 + 8, "every pg row trained, a few twice to fill the last minibatch: " + pgRows);
        assertEquals(0, (pgRows + replayRows) % 8);
        assertTrue(replayRows >= 4 && replayRows <= 24, "about a quarter as many replayed rows: " + replayRows);
        assertTrue(padded < 0.75 * batches.size() * 8 * longest,
                "padding: " + padded + " positions for " + positions + " (longest row " + longest + ")");
    }
}
