package ai.posttrain.format;

import ai.posttrain.format.gguf.GgufExport;
import ai.posttrain.format.gguf.GgufWriter.GgmlType;
import ai.posttrain.tokenizer.TokenizerExport;
import ai.posttrain.format.hf.HfExport;
import ai.posttrain.format.safetensors.DType;
import ai.posttrain.model.ModelConfig;
import ai.posttrain.tokenizer.ByteTokenizer;
import ai.posttrain.tokenizer.HfTokenizerFiles;
import ai.posttrain.tokenizer.ModelFolder;
import ai.posttrain.tokenizer.ModelFolderTokenizer;
import ai.posttrain.tokenizer.SpecialToken;
import ai.posttrain.tokenizer.Tokenizer;
import ai.posttrain.format.hf.HfImport;
import ai.posttrain.model.Checkpoints;
import ai.posttrain.tokenizer.Tokenizers;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.UUID;

/**
 * Writes a trained model with its tokenizer in an open format: {@code hf} (a Hugging Face folder for
 * transformers / vLLM) or {@code gguf} (one file for llama.cpp / Ollama), the one way the CLI and the
 * pipeline export.
 */
public final class ModelExport {
    public static final List<String> FORMATS = List.of("hf", "gguf");
    public static final String GGUF_FILE = "model.gguf";

    /** @param precision "f32" or "f16" (gguf), "f32", "bf16" or "f16" (hf) */
    public record Options(String format, String precision, String name) {
    }

    private ModelExport() {
    }

    /**
     * @param tokenizerFiles the folder holding the tokenizer's files (a checkpoint's tokenizer/ or a model folder),
     *                       or null for the built-in byte tokenizer
     * @param out            a folder; gguf writes {@value #GGUF_FILE} inside it
     */
    public static String write(ComputationGraph graph, ModelConfig cfg, Tokenizer tokenizer, String tokenizerFiles,
                               Options o, String out, Configuration hadoop) {
        if (!cfg.llama())
            throw new ModelFormatException(out, "arch", "only llama-family models export (this one is '" + cfg.arch()
                    + "': its GELU has no exact equivalent in llama.cpp or transformers); train with"
                    + " posttrain.model.*.arch = llama or start from a Hugging Face model");
        int bos = tokenizer.kind().equals("byte") || has(tokenizer, SpecialToken.BOS) ? tokenizer.specialId(SpecialToken.BOS) : -1;
        List<Integer> eos = tokenizer instanceof ModelFolderTokenizer m ? m.stopIds()
                : List.of(tokenizer.specialId(SpecialToken.END_OF_TURN));
        switch (o.format()) {
            case "hf" -> {
                DType dtype = switch (o.precision()) {
                    case "bf16" -> DType.BF16;
                    case "f16" -> DType.F16;
                    default -> DType.F32;
                };
                HfExport.write(graph, cfg, out, new HfExport.Options(cfg.maxSeqLen(), bos >= 0 ? bos : null, eos,
                        tokenizerFiles, dtype), hadoop);
                // the byte tokenizer has no files of its own: write the HF form of its GGUF vocabulary
                if (tokenizerFiles == null && tokenizer instanceof ByteTokenizer)
                    new ModelFolder(out, HfTokenizerFiles.of(TokenizerExport.of(tokenizer))).write(out, hadoop);
                return out;
            }
            case "gguf" -> {
                String file = new Path(out, GGUF_FILE).toString();
                GgufExport.write(graph, cfg, TokenizerExport.of(tokenizer),
                        o.precision().equals("f16") ? GgmlType.F16 : GgmlType.F32, o.name(), cfg.maxSeqLen(), file, hadoop);
                return file;
            }
            default -> throw new IllegalArgumentException("export format must be one of " + FORMATS + ", got '" + o.format() + "'");
        }
    }

    /**
     * Exports the model in {@code modelDir} — a checkpoint (model.zip, its tokenizer in tokenizer/) or a Hugging
     * Face folder (a conversion) — into {@code out}, atomically: written to a hidden sibling, then renamed, so
     * a failed export leaves no half-written folder. {@code out} must not exist yet.
     * @return the folder or file written
     */
    public static String exportModelDir(String modelDir, Options o, String out, Configuration hadoop) {
        Path target = new Path(out);
        try {
            FileSystem fs = target.getFileSystem(hadoop);
            if (fs.exists(target)) throw new ModelFormatException(out, "out", "already exists; choose a new folder");
            ModelDirs.Loaded model = ModelDirs.load(modelDir, hadoop);
            Path tmp = new Path(target.getParent(), "." + target.getName() + "-" + UUID.randomUUID());
            try {
                String written = write(model.graph(), model.config(), model.tokenizer(), model.tokenizerFiles(), o, tmp.toString(), hadoop);
                if (!fs.rename(tmp, target)) throw new IOException("cannot rename " + tmp + " to " + target);
                return written.replace(tmp.toString(), target.toString());
            } finally {
                if (fs.exists(tmp)) fs.delete(tmp, true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot export " + modelDir + " to " + out, e);
        }
    }

    private static boolean has(Tokenizer t, SpecialToken token) {
        return !(t instanceof ModelFolderTokenizer m) || m.has(token);
    }
}
