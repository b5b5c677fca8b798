package ai.posttrain.rollout;

import ai.posttrain.LocalSpark;
import ai.posttrain.model.LanguageModels;
import ai.posttrain.model.ModelBytes;
import ai.posttrain.model.ModelConfig;
import ai.posttrain.model.head.LmHeadOutputLayer;
import ai.posttrain.reward.RewardMix;
import ai.posttrain.reward.SandboxLimits;
import ai.posttrain.tokenizer.ChatTemplate;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sampling on executors, then the scoring steps as a Spark ML pipeline over the completions' DataFrame. */
class RolloutTransformersTest {
    private final SparkSession spark = LocalSpark.get();

    @Test
    void sampledCompletionsGetLogProbsRewardsAndAdvantagesFromTheTransformers() {
        ChatTemplate template = new ChatTemplate(RolloutFixtures.BYTES);
        ModelConfig arch = new ModelConfig(RolloutFixtures.BYTES.vocabSize(), 32, 1, 2, 64, 128, "rotary", false);
        ModelBytes policy = ModelBytes.of(LanguageModels.create(arch, new LmHeadOutputLayer.Builder(), 1e-3, 1.0, 3), arch);
        List<RlPrompt> prompts = List.of(new RlPrompt("a", "math", "What is 2+3?", "5", List.of()),
                new RlPrompt("b", "math", "What is 4+4?", "8", List.of()),
                new RlPrompt("c", "chat", "Say hello.", null, List.of()));
        Dataset<Row> completions = new RolloutGenerator(org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext()), template)
                .generate(spark, policy, prompts, new RolloutGenerator.Options("t", "sub", 0, 0, 3, 12, 1.0, false, 5, 12));
        assertEquals(9, completions.count());

        RewardMix mix = new RewardMix(new RewardMix.Weights(Map.of("math", 1.0, "format", 0.5), 5.0, 12, 4, 0.5, 4, 0.5, 0),
                SandboxLimits.defaults());
        Dataset<Row> scored = new Pipeline().setStages(new PipelineStage[]{
                        new PolicyLogProbs(spark, policy, template, "policy_logprobs"),
                        new PolicyLogProbs(spark, policy, template, "ref_logprobs"),
                        new RewardScorer(spark, mix, null, template),
                        new GroupAdvantages(true)})
                .fit(completions).transform(completions);
        List<Row> rows = scored.collectAsList();
        assertEquals(9, rows.size());
        for (Row r : rows) {
            List<Float> sampled = r.getList(r.fieldIndex("logprobs"));
            List<Float> graph = r.getList(r.fieldIndex("policy_logprobs"));
            assertEquals(sampled.size(), graph.size());
            for (int i = 0; i < sampled.size(); i++)
                assertEquals(sampled.get(i), graph.get(i), 1e-3, "sampler and training graph agree on token " + i);
            assertEquals(0.0, r.getDouble(r.fieldIndex("kl")), 1e-6, "the policy is its own reference");
            Map<String, Double> parts = r.getJavaMap(r.fieldIndex("reward_components"));
            boolean math = !r.getString(r.fieldIndex("domain")).equals("chat");
            assertEquals(math, parts.containsKey("math"), parts.toString());
            assertEquals(math, !r.isNullAt(r.fieldIndex("verifier_correct")));
            double sum = parts.values().stream().mapToDouble(Double::doubleValue).sum();
            assertEquals(Math.max(-5, Math.min(5, sum)), r.getDouble(r.fieldIndex("reward")), 1e-9);
        }
        // Advantages sum to zero within every group that has one.
        Dataset<Row> sums = scored.where("advantage is not null").groupBy("prompt_id").agg(org.apache.spark.sql.functions.sum("advantage").as("s"));
        for (Row r : sums.collectAsList()) assertEquals(0.0, r.getDouble(1), 1e-6);
        assertTrue(RolloutRows.forTable(scored).schema().fieldNames().length == RolloutSchema.SCHEMA.size() - 2);
    }
}
