package ai.posttrain.format.hf;

import ai.posttrain.format.safetensors.DType;
import ai.posttrain.format.safetensors.SafetensorsFolder;
import ai.posttrain.model.ModelConfig;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * A llama-architecture graph as a Hugging Face folder that transformers and vLLM load as it is: config.json,
 * generation_config.json, model.safetensors (F32 by default, HF tensor names; shards with an index above
 * {@link #MAX_SHARD_BYTES}) and the tokenizer files.
 */
public final class HfExport {
    /** transformers' default shard size for save_pretrained. */
    public static final long MAX_SHARD_BYTES = 5_000_000_000L;
    /** Tokenizer files copied from the source folder when present. */
    public static final List<String> TOKENIZER_FILES = List.of("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json");

    /**
     * What the export needs besides the weights.
     *
     * @param maxPositions       max_position_embeddings to declare (0: the engine's maxSeqLen)
     * @param bos                bos_token_id, or null
     * @param eos                eos_token_id(s)
     * @param tokenizerSourceDir a folder whose tokenizer files are copied, or null
     */
    public record Options(int maxPositions, Integer bos, List<Integer> eos, String tokenizerSourceDir, DType dtype) {
        public Options {
            eos = List.copyOf(eos);
        }

        /** Ids and context length of an imported model, its tokenizer files from {@code sourceDir}, F32 weights. */
        public static Options of(HfConfig source, String sourceDir) {
            return new Options(source.maxPositionEmbeddings(), source.bosTokenId(), source.eosTokenIds(), sourceDir, DType.F32);
        }
    }

    private HfExport() {}

    public static HfModel write(ComputationGraph graph, ModelConfig cfg, String outDir, Options o, Configuration hadoop) {
        HfModel model = GraphHfWeights.toHf(graph, cfg, o.maxPositions() > 0 ? o.maxPositions() : cfg.maxSeqLen(), o.bos(), o.eos());
        HfConfig hf = model.config();
        if (o.dtype() != DType.F32) hf = withDtype(hf, o.dtype() == DType.BF16 ? "bfloat16" : "float16");
        Path out = new Path(outDir);
        try {
            FileSystem fs = out.getFileSystem(hadoop);
            fs.mkdirs(out);
            write(fs, new Path(out, HfConfigReader.FILE), HfConfigWriter.config(hf));
            write(fs, new Path(out, "generation_config.json"), HfConfigWriter.generationConfig(hf));
            SafetensorsFolder.write(outDir, model.tensors(), o.dtype(), MAX_SHARD_BYTES, hadoop);
            if (o.tokenizerSourceDir() != null) copyTokenizer(new Path(o.tokenizerSourceDir()), out, hadoop);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot export to " + outDir, e);
        }
        return new HfModel(hf, model.tensors());
    }

    private static HfConfig withDtype(HfConfig c, String dtype) {
        return new HfConfig(c.architecture(), c.vocabSize(), c.hiddenSize(), c.intermediateSize(), c.numHiddenLayers(),
                c.numAttentionHeads(), c.numKeyValueHeads(), c.maxPositionEmbeddings(), c.ropeTheta(), c.rmsNormEps(),
                c.tieWordEmbeddings(), c.qkvBias(), dtype, c.bosTokenId(), c.eosTokenIds());
    }

    private static void copyTokenizer(Path from, Path to, Configuration hadoop) throws IOException {
        FileSystem src = from.getFileSystem(hadoop), dst = to.getFileSystem(hadoop);
        for (String name : TOKENIZER_FILES) {
            Path p = new Path(from, name);
            if (src.exists(p)) FileUtil.copy(src, p, dst, new Path(to, name), false, true, hadoop);
        }
    }

    private static void write(FileSystem fs, Path p, byte[] bytes) throws IOException {
        try (FSDataOutputStream out = fs.create(p, true)) {
            out.write(bytes);
        }
    }
}
