package ai.posttrain.model;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** The sampler agrees with the training graph (log-probs) and the cache changes nothing but speed. */
class SamplerTest {

    private static ComputationGraph randomModel(ModelConfig cfg) {
        ComputationGraph g = TestGraphs.graph(cfg, new Adam(1e-3), 11, DataType.FLOAT);
        // larger than init weights so that the distribution is far from uniform
        g.params().assign(Nd4j.randn(DataType.FLOAT, g.params().shape()).muli(0.3));
        return g;
    }

    /** The architectures the sampler decodes: gpt with learned or rotary positions, llama with and without GQA. */
    private static ModelConfig config(String name) {
        return switch (name) {
            case "llama-gqa" -> ModelConfig.llama(13, 32, 2, 4, 2, 64, 24, false, 500000.0, 1e-6, false);
            case "llama-bias" -> ModelConfig.llama(13, 32, 2, 4, 4, 64, 24, false, 10000.0, 1e-6, true);
            // pretraining context 8 of 24: the KV-cached decode steps run at positions where the scaling bites
            case "llama-rope-scaled" -> ModelConfig.llama(13, 32, 2, 4, 2, 64, 24, false, 500000.0, 1e-6, false)
                    .withRopeScaling(new RopeScaling(32.0, 1.0, 4.0, 8));
            default -> new ModelConfig(13, 32, 2, 4, 64, 24, name, false);
        };
    }

    private static final List<int[]> PROMPTS = List.of(new int[]{1, 2, 3}, new int[]{4}, new int[]{5, 6, 7, 8, 9, 1});

    @ParameterizedTest
    @ValueSource(strings = {ModelConfig.LEARNED, ModelConfig.ROTARY, "llama-gqa", "llama-bias", "llama-rope-scaled"})
    void logProbsEqualTrainingGraph(String arch) {
        ModelConfig cfg = config(arch);
        ComputationGraph g = randomModel(cfg);
        assertLogProbsOfTrainingGraph(g, PROMPTS, new Sampler(g, cfg).generate(PROMPTS, SamplingOptions.sample(0.8, 8, 0.95, 10, Set.of(), 7)));
    }

    /** A group's samples share their prompt's prefill (cache rows copied): each still decodes as if alone. */
    @ParameterizedTest
    @ValueSource(strings = {ModelConfig.ROTARY, "llama-gqa"})
    void repeatedPromptsShareOnePrefill(String arch) {
        ModelConfig cfg = config(arch);
        ComputationGraph g = randomModel(cfg);
        Sampler sampler = new Sampler(g, cfg);
        List<int[]> groups = List.of(PROMPTS.get(2), PROMPTS.get(0), PROMPTS.get(2), PROMPTS.get(2).clone(), PROMPTS.get(0));
        List<Sample> sampled = sampler.generate(groups, SamplingOptions.sample(1.0, 0, 1.0, 10, Set.of(), 7));
        assertLogProbsOfTrainingGraph(g, groups, sampled);
        List<Sample> greedy = sampler.generate(groups, SamplingOptions.greedy(10, Set.of()));
        for (int b = 0; b < groups.size(); b++) {
            Sample alone = sampler.generate(List.of(groups.get(b)), SamplingOptions.greedy(10, Set.of())).get(0);
            assertArrayEquals(alone.tokens(), greedy.get(b).tokens(), "sequence " + b);
            assertArrayEquals(alone.logProbs(), greedy.get(b).logProbs(), 1e-4);
        }
    }

    /** Every sampled token's log-prob is the training graph's for the same prefix, and each sequence ran 10 tokens. */
    private static void assertLogProbsOfTrainingGraph(ComputationGraph g, List<int[]> prompts, List<Sample> samples) {
        for (int b = 0; b < prompts.size(); b++) {
            int[] prompt = prompts.get(b);
            Sample s = samples.get(b);
            assertEquals(10, s.tokens().length);
            assertEquals(Sample.LENGTH, s.finishReason());
            int t = prompt.length + s.tokens().length - 1;
            float[] ids = new float[t];
            for (int i = 0; i < t; i++) ids[i] = i < prompt.length ? prompt[i] : s.tokens()[i - prompt.length];
            INDArray probs = g.output(Nd4j.create(ids, new long[]{1, 1, t}))[0]; // softmax [1, vocab, T]
            for (int i = 0; i < s.tokens().length; i++) {
                double expected = Math.log(probs.getDouble(0, s.tokens()[i], prompt.length - 1 + i));
                assertEquals(expected, s.logProbs()[i], 1e-3, "sequence " + b + " token " + i);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {ModelConfig.LEARNED, ModelConfig.ROTARY, "llama-gqa", "llama-bias", "llama-rope-scaled"})
    void cachedAndUncachedGreedyAgree(String arch) {
        ModelConfig cfg = config(arch);
        Sampler sampler = new Sampler(randomModel(cfg), cfg);
        SamplingOptions greedy = SamplingOptions.greedy(12, Set.of(0));
        List<Sample> cached = sampler.generate(PROMPTS, greedy);
        List<Sample> uncached = sampler.generateUncached(PROMPTS, greedy);
        for (int b = 0; b < PROMPTS.size(); b++) {
            assertArrayEquals(uncached.get(b).tokens(), cached.get(b).tokens());
            assertArrayEquals(uncached.get(b).logProbs(), cached.get(b).logProbs(), 1e-4);
            assertEquals(uncached.get(b).finishReason(), cached.get(b).finishReason());
        }
    }

    @Test
    void cacheThatGrowsWhileDecodingGivesTheUncachedResult() {
        // maxSeqLen 160 and 100 new tokens: the cache starts at a few chunks and grows several times.
        ModelConfig cfg = new ModelConfig(13, 32, 2, 4, 64, 160, ModelConfig.ROTARY, false);
        Sampler sampler = new Sampler(randomModel(cfg), cfg);
        SamplingOptions greedy = SamplingOptions.greedy(100, Set.of());
        List<Sample> cached = sampler.generate(PROMPTS, greedy);
        List<Sample> uncached = sampler.generateUncached(PROMPTS, greedy);
        for (int b = 0; b < PROMPTS.size(); b++) {
            assertEquals(100, cached.get(b).tokens().length);
            assertArrayEquals(uncached.get(b).tokens(), cached.get(b).tokens());
            assertArrayEquals(uncached.get(b).logProbs(), cached.get(b).logProbs(), 1e-4);
        }
    }

    @Test
    void stopsAtStopIdAndIsSeeded() {
        ModelConfig cfg = new ModelConfig(13, 32, 2, 4, 64, 24, ModelConfig.ROTARY, false);
        Sampler sampler = new Sampler(randomModel(cfg), cfg);
        // greedy first token of prompt 0 becomes a stop id: generation ends right there with reason "stop"
        int first = sampler.generate(List.of(PROMPTS.get(0)), SamplingOptions.greedy(1, Set.of())).get(0).tokens()[0];
        Sample stopped = sampler.generate(List.of(PROMPTS.get(0)), SamplingOptions.greedy(8, Set.of(first))).get(0);
        assertArrayEquals(new int[]{first}, stopped.tokens());
        assertEquals(Sample.STOP, stopped.finishReason());

        SamplingOptions opts = SamplingOptions.sample(1.0, 0, 1.0, 8, Set.of(), 123);
        List<Sample> a = sampler.generate(PROMPTS, opts), b = sampler.generate(PROMPTS, opts);
        for (int i = 0; i < PROMPTS.size(); i++) assertArrayEquals(a.get(i).tokens(), b.get(i).tokens());
        // maxSeqLen caps generation: 24 - 6 prompt tokens leaves 18
        Sample capped = sampler.generate(List.of(PROMPTS.get(2)), SamplingOptions.greedy(100, Set.of())).get(0);
        assertEquals(18, capped.tokens().length);
        assertEquals(Sample.LENGTH, capped.finishReason());
    }

    /** With a seed per row, a row samples the same tokens alone or in any batch: batching is only a matter of speed. */
    @Test
    void aRowWithItsOwnSeedSamplesTheSameInAnyBatch() {
        ModelConfig cfg = config(ModelConfig.ROTARY);
        Sampler sampler = new Sampler(randomModel(cfg), cfg);
        SamplingOptions opts = SamplingOptions.sample(1.0, 0, 1.0, 10, Set.of(), 0);
        List<int[]> batch = List.of(PROMPTS.get(0), PROMPTS.get(2), PROMPTS.get(0), PROMPTS.get(1));
        long[] seeds = {101, 202, 303, 404};
        List<Sample> together = sampler.generate(batch, opts, seeds);
        for (int b = 0; b < batch.size(); b++) {
            Sample alone = sampler.generate(List.of(batch.get(b)), opts, new long[]{seeds[b]}).get(0);
            assertArrayEquals(alone.tokens(), together.get(b).tokens(), "row " + b);
            assertArrayEquals(alone.logProbs(), together.get(b).logProbs(), 1e-4, "row " + b);
        }
        // The two rows of prompt 0 have their own streams: one shared stream would not reproduce them alone, and
        // different seeds give different samples (10 tokens of 13 ids).
        assertFalse(java.util.Arrays.equals(together.get(0).tokens(), together.get(2).tokens()));
        List<Sample> shared = sampler.generate(batch, opts.withSeed(101));
        assertFalse(java.util.Arrays.equals(shared.get(2).tokens(), together.get(2).tokens())
                && java.util.Arrays.equals(shared.get(1).tokens(), together.get(1).tokens()));
    }
}
