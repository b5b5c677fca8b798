package ai.posttrain.rollout;

import ai.posttrain.LocalSpark;
import ai.posttrain.model.LanguageModels;
import ai.posttrain.model.ModelBytes;
import ai.posttrain.model.ModelConfig;
import ai.posttrain.model.head.LmHeadOutputLayer;
import ai.posttrain.tokenizer.ChatTemplate;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** How many completions one sampler call decodes together changes how fast they come, not what they are. */
class RolloutBatchingTest {
    private final SparkSession spark = LocalSpark.get();
    private final ChatTemplate template = ChatTemplate.of(RolloutFixtures.BYTES);

    /** prompt id -> greedy token ids, decoded {@code batchRows} completions per sampler call. */
    private Map<String, List<Object>> greedy(ComputationGraph net, ModelConfig arch, List<RlPrompt> prompts, int batchRows) {
        return completions(net, arch, prompts, new RolloutGenerator.Options("t", "sub", -1, -1, 1, 12, 1.0, true, 0, batchRows));
    }

    /** "prompt id/sample index" -> token ids. */
    private Map<String, List<Object>> completions(ComputationGraph net, ModelConfig arch, List<RlPrompt> prompts,
                                                  RolloutGenerator.Options options) {
        List<Row> rows = new RolloutGenerator(JavaSparkContext.fromSparkContext(spark.sparkContext()), template)
                .generate(spark, ModelBytes.of(net, arch), prompts, options).collectAsList();
        Map<String, List<Object>> out = new TreeMap<>();
        for (Row r : rows) {
            String key = r.getString(r.fieldIndex("prompt_id")) + "/" + r.getInt(r.fieldIndex("sample_index"));
            out.put(key, new ArrayList<>(r.getList(r.fieldIndex("token_ids"))));
        }
        return out;
    }

    @Test
    void greedyCompletionsAreTheSameOneAtATimeAndInOneCall() {
        ModelConfig arch = new ModelConfig(template.tokenizer().vocabSize(), 32, 2, 2, 64, 128, "rotary", false);
        ComputationGraph net = LanguageModels.create(arch, new LmHeadOutputLayer.Builder(), 1e-3, 1.0, 11);
        List<RlPrompt> prompts = new ArrayList<>();
        for (int i = 0; i < 10; i++)   // prompts of different lengths share a call
            prompts.add(new RlPrompt("p" + i, "math", "What is " + i + "+" + (i * 37) + "?" + " please".repeat(i % 4), "0", List.of()));
        Map<String, List<Object>> alone = greedy(net, arch, prompts, 1), together = greedy(net, arch, prompts, 64);
        assertEquals(10, alone.size());
        assertEquals(alone, together);
    }

    /** A sampled group is the prompt's own: the same whichever prompts share its call, and new with another seed. */
    @Test
    void sampledGroupsDoNotDependOnTheBatch() {
        ModelConfig arch = new ModelConfig(template.tokenizer().vocabSize(), 32, 2, 2, 64, 128, "rotary", false);
        ComputationGraph net = LanguageModels.create(arch, new LmHeadOutputLayer.Builder(), 1e-3, 1.0, 11);
        List<RlPrompt> prompts = new ArrayList<>();
        for (int i = 0; i < 8; i++)
            prompts.add(new RlPrompt("p" + i, "math", "What is " + i + "+" + (i * 37) + "?", "0", List.of()));
        var byGroup = new RolloutGenerator.Options("t", "sub", 0, 0, 4, 12, 1.0, false, 5, 4);
        var allTogether = new RolloutGenerator.Options("t", "sub", 0, 0, 4, 12, 1.0, false, 5, 64);
        var otherSeed = new RolloutGenerator.Options("t", "sub", 0, 0, 4, 12, 1.0, false, 6, 64);
        Map<String, List<Object>> one = completions(net, arch, prompts, byGroup);
        assertEquals(32, one.size());
        assertEquals(one, completions(net, arch, prompts, allTogether));
        // A random-weight model samples near-uniform bytes: another seed gives other completions.
        assertNotEquals(one, completions(net, arch, prompts, otherSeed));
        // The rows of one group differ from each other (each its own stream).
        assertNotEquals(one.get("p0/0"), one.get("p0/1"));
    }
}
