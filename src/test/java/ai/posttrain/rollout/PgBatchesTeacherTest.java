package ai.posttrain.rollout;

import ai.posttrain.LocalSpark;
import ai.posttrain.model.LanguageModels;
import ai.posttrain.model.ModelBytes;
import ai.posttrain.model.ModelConfig;
import ai.posttrain.model.SequenceLogProbs;
import ai.posttrain.model.head.LabelLayout;
import ai.posttrain.model.head.LmHeadOutputLayer;
import ai.posttrain.model.head.Objective;
import ai.posttrain.tokenizer.ChatTemplate;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On-policy distillation rows (RL teacher-kd): rollouts of every group, the equal-reward ones included, scored by a
 * real model's top-k at exactly the tokens the policy sampled, and trained as kd rows beside the pg rows.
 */
class PgBatchesTeacherTest {
    private final SparkSession spark = LocalSpark.get();
    private final ChatTemplate template = ChatTemplate.of(RolloutFixtures.BYTES);
    private final ModelConfig arch = new ModelConfig(RolloutFixtures.BYTES.vocabSize(), 32, 1, 2, 64, 128, "rotary", false);
    private final ComputationGraph teacherGraph = LanguageModels.create(arch, new LmHeadOutputLayer.Builder(), 1e-3, 1.0, 11);

    /** Groups p1 {1,0,0,1} and p3 {2,0,1,1} carry advantages (8 pg rows); p2's equal rewards do not. */
    private Dataset<Row> scored() {
        List<Row> rows = new ArrayList<>();
        double[][] groups = {{1, 0, 0, 1}, {0.5, 0.5, 0.5, 0.5}, {2, 0, 1, 1}};
        for (int g = 0; g < groups.length; g++)
            for (int i = 0; i < 4; i++)
                rows.add(RolloutFixtures.row(0, "p" + (g + 1), i, "math", "what is 2+" + g, "answer " + i + "x".repeat(g), "1", null, groups[g][i]));
        return new GroupAdvantages(true).transform(RolloutFixtures.frame(spark, rows))
                .withColumn("ref_logprobs", lit(null).cast(DataTypes.createArrayType(DataTypes.FloatType)));
    }

    private PgBatches.TeacherKd teacher(double fraction, int topK) {
        return new PgBatches.TeacherKd(JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(ModelBytes.of(teacherGraph, arch)),
                fraction, topK, 1.0);
    }

    @Test
    void everyRolloutIsScoredAtExactlyItsSampledTokensAgainstTheTeachersOwnLogProbs() {
        // Top-k over the whole vocabulary: every sampled token has its entry to compare.
        int k = arch.vocab();
        List<PgBatches.Example> rows = PgBatches.teacherRows(scored(), template, teacher(1.0, k), 5L).collect();
        assertEquals(12, rows.size(), "fraction 1: every rollout, the equal-reward group's too");
        Set<String> prompts = new HashSet<>();
        SequenceLogProbs independent = new SequenceLogProbs(teacherGraph);
        int checked = 0;
        for (PgBatches.Example row : rows) {
            String id = row.id().substring("teacher:".length());
            prompts.add(id.substring(0, id.indexOf('#')));
            int sample = Integer.parseInt(id.substring(id.indexOf('#') + 1));
            int group = Integer.parseInt(id.substring(1, id.indexOf('#')));
            int[] prompt = RolloutGenerator.render(template, "what is 2+" + (group - 1));
            int[] completion = RolloutFixtures.BYTES.encode("answer " + sample + "x".repeat(group - 1));
            var kd = row.teacher();
            assertNotNull(kd);
            assertEquals(prompt.length + completion.length, kd.tokens().length);
            // The teacher's log-prob of each sampled token, computed by the scorer of the reference log-probs.
            float[] logp = independent.completionLogProbs(List.of(prompt), List.of(completion)).get(0);
            for (int pos = 0; pos < kd.predictedLength(); pos++) {
                int j = pos - (prompt.length - 1);   // the completion token predicted at pos
                if (j < 0) {
                    assertTrue(kd.topIds()[pos] == null, "no teacher entry on the prompt, position " + pos);
                    continue;
                }
                assertEquals(k, kd.topIds()[pos].length);
                for (int e = 1; e < k; e++) assertTrue(kd.topLogProbs()[pos][e] <= kd.topLogProbs()[pos][e - 1], "best first");
                assertTrue(logp[j] <= kd.topLogProbs()[pos][0] + 1e-4, "the top entry is the teacher's most likely token");
                for (int e = 0; e < k; e++)
                    if (kd.topIds()[pos][e] == completion[j]) {
                        assertEquals(logp[j], kd.topLogProbs()[pos][e], 1e-4, "token " + j + " of " + row.id());
                        checked++;
                    }
            }
        }
        assertEquals(Set.of("p1", "p2", "p3"), prompts);
        assertEquals(rows.stream().mapToInt(r -> r.teacher().trainedPositions()).sum(), checked, "every sampled token's entry matches");
    }

    @Test
    void aFractionIsASeededSampleAndTheRowsTrainKdBesideThePgRows() {
        PgBatches.TeacherKd half = teacher(0.5, 4);
        List<String> a = PgBatches.teacherRows(scored(), template, half, 5L).map(PgBatches.Example::id).collect();
        List<String> b = PgBatches.teacherRows(scored(), template, half, 5L).map(PgBatches.Example::id).collect();
        assertEquals(a, b, "same seed, same sample");
        assertTrue(a.size() >= 2 && a.size() <= 10, "about half of 12: " + a.size());

        var teacherRows = PgBatches.teacherRows(scored(), template, teacher(1.0, 4), 5L).cache();
        int pg = 0, kd = 0;
        for (MultiDataSet m : PgBatches.build(scored(), template, 4, 1, 7L, null, teacherRows).collect()) {
            INDArray labels = m.getLabels(0), mask = m.getLabelsMaskArray(0);
            assertEquals(LabelLayout.withTopK(4).channels(), labels.size(1), "the minibatch's labels hold the teacher's 4 entries");
            for (int r = 0; r < labels.size(0); r++) {
                double objective = labels.getDouble(r, LabelLayout.OBJECTIVE, 0);
                if (objective == Objective.PG.code) pg++;
                if (objective == Objective.KD.code) {
                    kd++;
                    double trained = mask.getRow(r).sumNumber().doubleValue();
                    assertTrue(trained >= "answer 0".length() && trained <= "answer 0xx".length(), "a kd row trains its completion: " + trained);
                }
            }
        }
        assertEquals(8, pg, "every pg row once");
        assertEquals(12, kd, "every teacher row once");
        // No row with an advantage: the teacher's rows are trained all the same.
        Dataset<Row> equal = scored().where("prompt_id = 'p2'");
        var only = PgBatches.teacherRows(equal, template, teacher(1.0, 4), 5L).cache();
        assertEquals(1, PgBatches.build(equal, template, 4, 1, 7L, null, only).count(), "one minibatch of the 4 teacher rows");
    }
}
