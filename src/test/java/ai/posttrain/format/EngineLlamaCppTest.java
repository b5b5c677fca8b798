package ai.posttrain.format;

import ai.posttrain.format.gguf.GgufExport;
import ai.posttrain.format.gguf.GgufWriter.GgmlType;
import ai.posttrain.tokenizer.TokenizerExport;
import ai.posttrain.format.gguf.TokenizerExports;
import ai.posttrain.format.hf.HfConfig;
import ai.posttrain.format.hf.HfImport;
import ai.posttrain.format.safetensors.DType;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 14's proof: random-weight HF folders in SmolLM2 / Llama 3.2 / Qwen2.5 shapes are imported through the
 * real path (HfImport), exported from the engine's graph through the real path (GgufExport, F32), and the
 * engine's next-token log-probabilities (graph.output, log-softmax of its logits) match llama.cpp's on the GGUF
 * (F32 KV cache, no flash attention) within {@value #TOLERANCE} max-abs; greedy continuations agree.
 * The engine is also held to the double-precision HF transcription, so an error common to both is visible.
 */
class EngineLlamaCppTest {
    static final double TOLERANCE = 1e-3;
    static final int[][] SEQUENCES = {
            {295, 10, 257, 258, 44, 72, 101, 108, 108, 111, 298, 33, 1, 299, 300},
            {3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107, 109, 113, 127, 131, 137},
    };
    static final int[] PROMPT = {116, 104, 101, 32, 257, 258};

    @TempDir Path tmp;

    @Test
    void smolLm2Shape() throws Exception {
        check("smollm2", RandomHfModels.smolLm2(), DType.BF16);
    }

    @Test
    void llama32Shape() throws Exception {
        check("llama32", RandomHfModels.llama32(), DType.F32);
    }

    @Test
    void qwen25ShapeUntiedAndTied() throws Exception {
        check("qwen25-untied", RandomHfModels.qwen25(false), DType.F32);
        check("qwen25-tied", RandomHfModels.qwen25(true), DType.F16);
    }

    private void check(String name, HfConfig cfg, DType stored) throws Exception {
        Path folder = tmp.resolve(name);
        Map<String, Tensor> written = RandomHfModels.writeFolder(folder, cfg, 23, stored);
        HfImport.Imported model = HfImport.load(folder.toString(), 0);

        Path gguf = tmp.resolve(name + ".gguf");
        TokenizerExport tok = TokenizerExports.bpe("tiny-bpe.json", RandomHfModels.tokenizerJson(), cfg.vocabSize(), "gpt-2",
                295, 295, -1, null);
        GgufExport.write(model.graph(), model.config(), tok, GgmlType.F32, name, 0, gguf.toString(), new Configuration());

        LlamaCpp.Result llama = LlamaCpp.evaluate(gguf, cfg.vocabSize(), List.of(SEQUENCES), List.of(PROMPT), 12);
        assertTrue(llama.kvCacheF32() && !llama.flashAttention());
        // the reference sees the weights as stored (BF16/F16 values widened), exactly what the import read
        HfReferenceForward reference = new HfReferenceForward(cfg, readBack(folder));
        double vsLlama = 0, vsReference = 0;
        for (int s = 0; s < SEQUENCES.length; s++) {
            double[][] engine = logSoftmax(EngineLogits.logits(model.graph(), SEQUENCES[s]));
            double[][] ref = logSoftmax(reference.logits(SEQUENCES[s]));
            vsLlama = Math.max(vsLlama, LogitComparison.maxAbs(engine, llama.logProbs().get(s)));
            vsReference = Math.max(vsReference, LogitComparison.maxAbs(engine, ref));
            assertEquals(0, LogitComparison.top1Disagreements(engine, llama.logProbs().get(s), TOLERANCE), name + " top-1");
        }
        int[] engineGreedy = EngineLogits.greedy(model.graph(), PROMPT, 12);
        System.out.printf("%s (stored %s): engine vs llama.cpp max |log p diff| = %.3g, engine vs HF reference = %.3g, greedy %s%n",
                name, stored, vsLlama, vsReference, java.util.Arrays.toString(engineGreedy));
        assertTrue(vsLlama < TOLERANCE, name + ": engine vs llama.cpp " + vsLlama);
        assertTrue(vsReference < TOLERANCE, name + ": engine vs reference " + vsReference);
        assertArrayEquals(engineGreedy, llama.greedy().get(0), name + " greedy continuation");
        assertEquals(written.keySet(), readBack(folder).keySet());
    }

    private static Map<String, Tensor> readBack(Path folder) {
        try (var f = ai.posttrain.format.safetensors.SafetensorsFolder.open(folder.toString())) {
            Map<String, Tensor> m = new java.util.LinkedHashMap<>();
            for (String n : f.names()) m.put(n, f.read(n));
            return m;
        }
    }

    private static double[][] logSoftmax(double[][] logits) {
        double[][] out = new double[logits.length][];
        for (int t = 0; t < logits.length; t++) out[t] = LogitComparison.logSoftmax(logits[t]);
        return out;
    }
}
