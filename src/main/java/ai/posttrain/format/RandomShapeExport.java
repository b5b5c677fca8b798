package ai.posttrain.format;

import ai.posttrain.format.gguf.GgufExport;
import ai.posttrain.format.gguf.GgufWriter.GgmlType;
import ai.posttrain.format.hf.HfExport;
import ai.posttrain.format.safetensors.DType;
import ai.posttrain.model.LanguageModels;
import ai.posttrain.model.ModelConfig;
import ai.posttrain.model.NamedShapes;
import ai.posttrain.model.head.LmHeadOutputLayer;
import ai.posttrain.tokenizer.ByteLevelAlphabet;
import ai.posttrain.tokenizer.HfTokenizerFiles;
import ai.posttrain.tokenizer.ModelFolder;
import ai.posttrain.tokenizer.TokenizerExport;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A BENCHMARK ARTIFACT, not a model: a named real-size shape ({@link NamedShapes}) with the engine's random
 * initial weights, written as GGUF or an HF folder so another runtime (llama.cpp) can be timed on exactly the
 * architecture the engine is timed on. Its vocabulary is synthetic — the 256 GPT-2 byte symbols (so any text
 * still tokenizes) then filler tokens "t256", "t257", ... up to the shape's size, no merges, no chat template —
 * and the file's name says "random-weight benchmark artifact".
 */
public final class RandomShapeExport {
    public static final String NAME_PREFIX = "random-weight benchmark artifact: ";

    private RandomShapeExport() {}

    /** @return the file (gguf: out/model.gguf) or folder (hf: out) written */
    public static String write(String shape, String format, String precision, long seed, String out, Configuration hadoop) {
        ModelConfig cfg = NamedShapes.get(shape);
        if (cfg == null) throw new ModelFormatException("--shape '" + shape + "': unknown shape (known: " + NamedShapes.names() + ")", null);
        try {
            Path target = new Path(out);
            if (target.getFileSystem(hadoop).exists(target)) throw new ModelFormatException(out, "out", "already exists; choose a new folder");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ComputationGraph graph = LanguageModels.create(cfg, new LmHeadOutputLayer.Builder(), 1e-4, 1.0, seed);
        TokenizerExport vocabulary = syntheticVocabulary(cfg.vocab());
        String name = NAME_PREFIX + shape;
        if (format.equals("gguf")) {
            String file = new Path(out, ModelExport.GGUF_FILE).toString();
            GgufExport.write(graph, cfg, vocabulary, precision.equals("f16") ? GgmlType.F16 : GgmlType.F32, name,
                    cfg.maxSeqLen(), file, hadoop);
            return file;
        }
        DType dtype = switch (precision) {
            case "bf16" -> DType.BF16;
            case "f16" -> DType.F16;
            default -> DType.F32;
        };
        HfExport.write(graph, cfg, out, new HfExport.Options(cfg.maxSeqLen(), null, List.of(vocabulary.eos()), null, dtype), hadoop);
        new ModelFolder(out, HfTokenizerFiles.of(vocabulary)).write(out, hadoop);
        return out;
    }

    /** Byte symbols, then "t{id}" fillers; the last row doubles as the end-of-sequence token llama.cpp requires. */
    static TokenizerExport syntheticVocabulary(int size) {
        if (size < 257) throw new IllegalArgumentException("a synthetic vocabulary needs at least 257 rows, got " + size);
        List<String> tokens = new ArrayList<>(size);
        for (int b = 0; b < 256; b++) tokens.add(String.valueOf(ByteLevelAlphabet.charOf(b)));
        for (int id = 256; id < size - 1; id++) tokens.add("t" + id);
        tokens.add("<|benchmark_eos|>");
        int[] types = new int[size];
        Arrays.fill(types, TokenizerExport.NORMAL);
        types[size - 1] = TokenizerExport.CONTROL;
        return new TokenizerExport("gpt2", "default", tokens, types, List.of(), -1, size - 1, -1, false, null);
    }
}
