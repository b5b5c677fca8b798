package ai.posttrain.format.gguf;

import ai.posttrain.tokenizer.TokenizerExport;
import ai.posttrain.format.EngineLogits;
import ai.posttrain.format.LlamaCpp;
import ai.posttrain.format.LogitComparison;
import ai.posttrain.format.RandomHfModels;
import ai.posttrain.format.gguf.GgufWriter.GgmlType;
import ai.posttrain.format.hf.HfImport;
import ai.posttrain.format.safetensors.DType;
import ai.posttrain.model.LanguageModels;
import ai.posttrain.model.ModelConfig;
import ai.posttrain.model.head.LmHeadOutputLayer;
import ai.posttrain.tokenizer.ByteTokenizer;
import ai.posttrain.tokenizer.SpecialToken;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Tokenizers inside the GGUF as llama.cpp reads them, and the F16 export. */
class GgufTokenizerAndF16Test {
    @TempDir Path tmp;

    /** A llama-architecture model over the built-in byte tokenizer: byte-level vocabulary, no merges, control specials. */
    @Test
    void byteTokenizerModelLoadsTokenizesAndAgrees() throws Exception {
        ByteTokenizer bytes = new ByteTokenizer();
        ModelConfig cfg = ModelConfig.llama(bytes.vocabSize(), 64, 2, 4, 2, 128, 64, false, 10000.0, 1e-5, false);
        ComputationGraph g = LanguageModels.create(cfg, new LmHeadOutputLayer.Builder(), 1e-3, 1.0, 3);
        Nd4j.getRandom().setSeed(3);
        g.params().assign(Nd4j.randn(DataType.FLOAT, g.params().shape()).muli(0.3));
        g.getLayer("lm_head").getParam("b").assign(0);   // frozen at zero in the llama head; exported nowhere
        Path gguf = tmp.resolve("byte.gguf");
        GgufExport.write(g, cfg, TokenizerExports.byteTokenizer(null), GgmlType.F32, "byte-llama", 0, gguf.toString(), new Configuration());

        String text = "héllo\n\tworld";
        int[] ids = bytes.encode(text);
        int[] withSpecials = {bytes.specialId(SpecialToken.USER), 104, 105, bytes.specialId(SpecialToken.END_OF_TURN)};
        LlamaCpp.Result r = LlamaCpp.evaluate(gguf, cfg.vocab(), List.of(ids), List.of(ids), 8, List.of(text), List.of(ids, withSpecials));
        assertArrayEquals(ids, r.tokenized().get(0), "llama.cpp tokenizes text to its UTF-8 bytes");
        assertEquals(text, r.detokenized().get(0));
        assertEquals("hi", r.detokenized().get(1), "control tokens are not printed as text");
        double[][] engine = logSoftmax(EngineLogits.logits(g, ids));
        double diff = LogitComparison.maxAbs(engine, r.logProbs().get(0));
        System.out.printf("byte-tokenizer llama: engine vs llama.cpp max |log p diff| = %.3g%n", diff);
        assertTrue(diff < 1e-3, "engine vs llama.cpp " + diff);
        assertArrayEquals(EngineLogits.greedy(g, ids, 8), r.greedy().get(0));
    }

    /** The test BPE's merges travel: llama.cpp tokenizes with them (GPT-2 pre-tokenizer) as the file defines. */
    @Test
    void bpeTokenizerAndF16WeightsLoad() throws Exception {
        Path folder = tmp.resolve("qwen");
        RandomHfModels.writeFolder(folder, RandomHfModels.qwen25(false), 4, DType.F32);
        HfImport.Imported m = HfImport.load(folder.toString(), 0);
        TokenizerExport tok = TokenizerExports.bpe("tiny-bpe.json", RandomHfModels.tokenizerJson(), 320, "gpt-2", 295, 295, -1,
                "{% for m in messages %}{{ m['content'] }}<|end|>{% endfor %}");
        assertEquals(TokenizerExport.UNUSED, tok.tokenTypes()[310]);
        assertEquals(TokenizerExport.CONTROL, tok.tokenTypes()[295]);
        Path f16 = tmp.resolve("f16.gguf");
        GgufExport.write(m.graph(), m.config(), tok, GgmlType.F16, "qwen-f16", 0, f16.toString(), new Configuration());
        Path f32 = tmp.resolve("f32.gguf");
        GgufExport.write(m.graph(), m.config(), tok, GgmlType.F32, "qwen-f32", 0, f32.toString(), new Configuration());
        assertTrue(f16.toFile().length() < 0.6 * f32.toFile().length());

        int[] seq = {116, 104, 101, 32, 257, 258, 44, 72, 101, 108, 108, 111, 298};
        LlamaCpp.Result r = LlamaCpp.evaluate(f16, 320, List.of(seq), List.of(), 0, List.of("the answer is 1200"), List.of());
        int the = vocabId("the"), answer = vocabId(" answer"), is = vocabId(" is"), twelve = vocabId("12"), zeros = vocabId("00");
        assertArrayEquals(new int[]{the, answer, is, 32, twelve, zeros}, r.tokenized().get(0));
        double[][] engine = logSoftmax(EngineLogits.logits(m.graph(), seq));
        double diff = LogitComparison.maxAbs(engine, r.logProbs().get(0));
        System.out.printf("qwen2.5 shape, F16 GGUF: engine (F32) vs llama.cpp max |log p diff| = %.3g%n", diff);
        assertTrue(diff < 0.05, "F16 export drifts by " + diff);
        assertEquals(0, LogitComparison.top1Disagreements(engine, r.logProbs().get(0), 0.05));
    }

    private static int vocabId(String token) throws Exception {
        var vocab = new com.fasterxml.jackson.databind.ObjectMapper().readTree(RandomHfModels.tokenizerJson()).path("model").path("vocab");
        StringBuilder sym = new StringBuilder();
        String[] table = TokenizerExports.byteSymbols();
        for (byte b : token.getBytes(StandardCharsets.UTF_8)) sym.append(table[b & 0xFF]);
        return vocab.path(sym.toString()).asInt(-1);
    }

    private static double[][] logSoftmax(double[][] logits) {
        double[][] out = new double[logits.length][];
        for (int t = 0; t < logits.length; t++) out[t] = LogitComparison.logSoftmax(logits[t]);
        return out;
    }
}
