package ai.posttrain.rollout;

import ai.posttrain.LocalSpark;
import ai.posttrain.model.LanguageModels;
import ai.posttrain.model.ModelBytes;
import ai.posttrain.model.ModelConfig;
import ai.posttrain.model.Sample;
import ai.posttrain.model.TransformerGraph;
import ai.posttrain.model.head.LmHeadOutputLayer;
import ai.posttrain.tokenizer.ChatTemplate;
import ai.posttrain.tokenizer.ModelFolders;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Rollouts end at any of the template's stop ids, not only its end-of-turn marker. */
class RolloutStopIdsTest {
    @TempDir Path dir;

    @Test
    void aQwenTurnEndsAtEndOfTextToo() throws Exception {
        ChatTemplate qwen = ChatTemplate.of(ModelFolders.load(ModelFolders.qwen25(dir)));
        int endOfText = 295; // Qwen's second stop id (generation_config eos_token_id [<|im_end|>, <|endoftext|>])
        assertEquals(List.of(297, endOfText), qwen.stopIds());
        ModelConfig arch = new ModelConfig(qwen.tokenizer().vocabSize(), 32, 1, 2, 64, 256, "rotary", false);
        ComputationGraph net = LanguageModels.create(arch, new LmHeadOutputLayer.Builder(), 1e-3, 1.0, 3);
        net.getLayer(TransformerGraph.HEAD).getParam(DefaultParamInitializer.BIAS_KEY).putScalar(endOfText, 100.0); // always <|endoftext|>
        SparkSession spark = LocalSpark.get();
        List<Row> rows = new RolloutGenerator(JavaSparkContext.fromSparkContext(spark.sparkContext()), qwen)
                .generate(spark, ModelBytes.of(net, arch), List.of(new RlPrompt("a", "math", "What is 2+3?", "5", List.of())),
                        new RolloutGenerator.Options("t", "sub", 0, 0, 2, 8, 1.0, true, 5, 8))
                .collectAsList();
        assertEquals(2, rows.size());
        for (Row r : rows) {
            assertEquals(List.of(endOfText), r.getList(r.fieldIndex("token_ids")));
            assertEquals(Sample.STOP, r.getString(r.fieldIndex("finish_reason")));
            assertEquals("", r.getString(r.fieldIndex("completion")));
        }
    }
}
