package ai.posttrain.reward;

import ai.posttrain.data.Message;
import ai.posttrain.model.LanguageModels;
import ai.posttrain.model.ModelConfig;
import ai.posttrain.model.head.LmHeadOutputLayer;
import ai.posttrain.tokenizer.ChatTemplate;
import ai.posttrain.tokenizer.ModelFolders;
import ai.posttrain.tokenizer.SpecialToken;
import ai.posttrain.tokenizer.Tokenizers;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Bradley-Terry reward model on the head's dpo objective: its loss is exactly
 * -log sigmoid(beta (s_chosen - s_rejected)) of the scores the model reports, and gradient steps on it
 * widen the margin between chosen and rejected.
 */
class RewardModelTest {
    @TempDir Path dir;
    private final ChatTemplate template = new ChatTemplate(Tokenizers.create("byte", ""));
    private final List<RewardModel.Pair> pairs = List.of(
            new RewardModel.Pair(List.of(Message.user("What is 2+2?")), "<think>2+2=4</think>4", "Figure it out yourself."),
            new RewardModel.Pair(List.of(Message.user("Capital of France?")), "Paris.", "WHY WOULD I TELL YOU!!!"));

    private ComputationGraph model(double beta) {
        ModelConfig arch = new ModelConfig(template.tokenizer().vocabSize(), 32, 1, 2, 64, 128, "rotary", false);
        return RewardModel.fromPolicy(LanguageModels.create(arch, new LmHeadOutputLayer.Builder(), 3e-3, 1.0, 11), beta);
    }

    @Test
    void theLossIsBradleyTerryOnTheReportedScores() {
        double beta = 0.7;
        ComputationGraph net = model(beta);
        MultiDataSet batch = RewardModel.batch(pairs, template, 5);   // odd: ends with a padding row
        double[][] s = new RewardModel(net).pairScores(pairs, template);
        double expected = 0;
        for (double[] p : s) expected += Math.log1p(Math.exp(-beta * (p[0] - p[1]))) / pairs.size();
        assertEquals(expected, net.score(batch), 1e-4);
    }

    @Test
    void trainingWidensTheMarginBetweenChosenAndRejected() {
        ComputationGraph net = model(1.0);
        MultiDataSet batch = RewardModel.batch(pairs, template, 4);
        double before = margin(net);
        for (int i = 0; i < 15; i++) net.fit(batch);
        double after = margin(net);
        assertTrue(after > before + 0.5, "margin " + before + " -> " + after);
        for (double[] p : new RewardModel(net).pairScores(pairs, template)) assertTrue(p[0] > p[1]);
    }

    /** BOS where the template writes it only first (byte, Llama 3), else the end-of-turn marker. */
    @Test
    void theScoreTokenIsOneNoTemplatePredictsAfterATurn() throws Exception {
        assertEquals(template.tokenizer().specialId(SpecialToken.BOS), RewardModel.scoreToken(template));
        assertEquals(295, RewardModel.scoreToken(ChatTemplate.of(ModelFolders.load(ModelFolders.llama32(dir))))); // <|begin_of_text|>
        assertEquals(297, RewardModel.scoreToken(ChatTemplate.of(ModelFolders.load(ModelFolders.qwen25(dir)))));  // <|im_end|>: no BOS
        assertEquals(297, RewardModel.scoreToken(ChatTemplate.of(ModelFolders.load(ModelFolders.smolLm2(dir))))); // not its BOS <|im_start|>
    }

    /** A folder without a BOS (Qwen) trains as the byte tokenizer does. */
    @Test
    void trainingWidensTheMarginWithAQwenTemplate() throws Exception {
        ChatTemplate qwen = ChatTemplate.of(ModelFolders.load(ModelFolders.qwen25(dir)));
        ModelConfig arch = new ModelConfig(qwen.tokenizer().vocabSize(), 32, 1, 2, 64, 256, "rotary", false);
        ComputationGraph net = RewardModel.fromPolicy(LanguageModels.create(arch, new LmHeadOutputLayer.Builder(), 3e-3, 1.0, 11), 1.0);
        MultiDataSet batch = RewardModel.batch(pairs, qwen, 4);
        double before = margin(net, qwen);
        for (int i = 0; i < 15; i++) net.fit(batch);
        assertTrue(margin(net, qwen) > before + 0.5, "margin " + before + " -> " + margin(net, qwen));
    }

    private double margin(ComputationGraph net) { return margin(net, template); }

    private double margin(ComputationGraph net, ChatTemplate chat) {
        double m = 0;
        for (double[] p : new RewardModel(net).pairScores(pairs, chat)) m += p[0] - p[1];
        return m / pairs.size();
    }
}
