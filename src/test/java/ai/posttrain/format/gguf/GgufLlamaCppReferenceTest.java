package ai.posttrain.format.gguf;

import ai.posttrain.tokenizer.TokenizerExport;
import ai.posttrain.format.HfReferenceForward;
import ai.posttrain.format.LlamaCpp;
import ai.posttrain.format.LogitComparison;
import ai.posttrain.format.RandomHfModels;
import ai.posttrain.format.Tensor;
import ai.posttrain.format.gguf.GgufWriter.GgmlType;
import ai.posttrain.format.hf.HfConfig;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The GGUF export and the llama.cpp harness, checked against the engine-independent double-precision
 * transcription of transformers' forward pass ({@link HfReferenceForward}) on HF-named tensors.
 */
class GgufLlamaCppReferenceTest {
    static final double TOLERANCE = 1e-3;
    static final int[][] SEQUENCES = {
            {295, 10, 257, 258, 44, 72, 101, 108, 108, 111, 298, 33, 1, 299, 300},
            {3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107, 109, 113, 127, 131, 137},
    };

    @TempDir Path tmp;

    @Test
    void smolLm2ShapeMatchesTheReference() throws Exception {
        check("smollm2", RandomHfModels.smolLm2());
    }

    @Test
    void llama32ShapeMatchesTheReference() throws Exception {
        check("llama32", RandomHfModels.llama32());
    }

    @Test
    void qwen25ShapeMatchesTheReference() throws Exception {
        check("qwen25-untied", RandomHfModels.qwen25(false));
        check("qwen25-tied", RandomHfModels.qwen25(true));
    }

    private void check(String name, HfConfig cfg) throws Exception {
        Map<String, Tensor> weights = RandomHfModels.weights(cfg, 11);
        Path gguf = tmp.resolve(name + ".gguf");
        TokenizerExport tok = TokenizerExports.bpe("tiny-bpe.json", RandomHfModels.tokenizerJson(), cfg.vocabSize(), "gpt-2",
                295, 295, -1, null);
        GgufModelWriter.write(gguf.toString(), name, cfg, weights, tok, GgmlType.F32, new Configuration());

        List<int[]> seqs = List.of(SEQUENCES);
        LlamaCpp.Result llama = LlamaCpp.evaluate(gguf, cfg.vocabSize(), seqs, List.of(), 0);
        assertTrue(llama.kvCacheF32() && !llama.flashAttention(), "llama.cpp ran with an F32 KV cache and no flash attention");
        HfReferenceForward reference = new HfReferenceForward(cfg, weights);
        double worst = 0;
        for (int s = 0; s < seqs.size(); s++) {
            double[][] ref = reference.logits(seqs.get(s));
            double[][] refLp = new double[ref.length][];
            for (int t = 0; t < ref.length; t++) refLp[t] = LogitComparison.logSoftmax(ref[t]);
            double diff = LogitComparison.maxAbs(refLp, llama.logProbs().get(s));
            worst = Math.max(worst, diff);
            assertEquals(0, LogitComparison.top1Disagreements(refLp, llama.logProbs().get(s), TOLERANCE), name);
        }
        System.out.printf("llama.cpp vs reference, %s: max |log p diff| = %.3g%n", name, worst);
        assertTrue(worst < TOLERANCE, name + ": max-abs log-prob difference " + worst);
    }
}
