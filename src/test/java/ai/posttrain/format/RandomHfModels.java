package ai.posttrain.format;

import ai.posttrain.format.hf.HfConfig;
import ai.posttrain.format.hf.HfConfigWriter;
import ai.posttrain.format.hf.HfTensorNames;
import ai.posttrain.format.safetensors.DType;
import ai.posttrain.format.safetensors.SafetensorsWriter;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Random-weight Hugging Face model folders in the shapes of real checkpoints, scaled down (2 layers, small
 * width, the 299-token test tokenizer padded to a 320-row embedding). Weights are scaled so activations and
 * logits are O(1): a layout mistake then moves logits by O(1), far above the comparison tolerance.
 */
public final class RandomHfModels {
    public static final int VOCAB = 320;
    public static final String TOKENIZER = "/tokenizer/tiny-bpe.json";

    private RandomHfModels() {}

    /** SmolLM2's layout: llama, tied embeddings, 3 query heads sharing 1 key/value head, theta 1e5. */
    public static HfConfig smolLm2() {
        return new HfConfig(HfConfig.LLAMA, VOCAB, 96, 256, 2, 3, 1, 128, 100000.0, 1e-5, true, false,
                "bfloat16", 295, List.of(295));
    }

    /** Llama 3.2's layout (without its llama3 rope scaling): tied, GQA 4/2, theta 5e5. */
    public static HfConfig llama32() {
        return new HfConfig(HfConfig.LLAMA, VOCAB, 64, 192, 2, 4, 2, 128, 500000.0, 1e-5, true, false,
                "bfloat16", 295, List.of(295, 298));
    }

    /** Qwen2.5's layout: qwen2 with q/k/v biases, GQA 4/2, theta 1e6, eps 1e-6. */
    public static HfConfig qwen25(boolean tied) {
        return new HfConfig(HfConfig.QWEN2, VOCAB, 64, 160, 2, 4, 2, 128, 1000000.0, 1e-6, tied, true,
                "bfloat16", null, List.of(295));
    }

    /** HF-named random tensors for {@code c} ([out, in] matrices; no lm_head.weight when tied). */
    public static Map<String, Tensor> weights(HfConfig c, long seed) {
        Random r = new Random(seed);
        int d = c.hiddenSize(), hd = c.headDim(), f = c.intermediateSize();
        int q = c.numAttentionHeads() * hd, kv = c.numKeyValueHeads() * hd;
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put(HfTensorNames.EMBED, gaussian(r, 2 / Math.sqrt(d), c.vocabSize(), d));   // logits ~ N(0, 2) when tied
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            m.put(HfTensorNames.inputNorm(i), nearOne(r, d));
            m.put(HfTensorNames.q(i), gaussian(r, 1 / Math.sqrt(d), q, d));
            m.put(HfTensorNames.k(i), gaussian(r, 1 / Math.sqrt(d), kv, d));
            m.put(HfTensorNames.v(i), gaussian(r, 1 / Math.sqrt(d), kv, d));
            if (c.qkvBias()) {
                m.put(HfTensorNames.qBias(i), gaussian(r, 0.5, q));
                m.put(HfTensorNames.kBias(i), gaussian(r, 0.5, kv));
                m.put(HfTensorNames.vBias(i), gaussian(r, 0.5, kv));
            }
            m.put(HfTensorNames.o(i), gaussian(r, 1 / Math.sqrt(q), d, q));
            m.put(HfTensorNames.postAttentionNorm(i), nearOne(r, d));
            m.put(HfTensorNames.gate(i), gaussian(r, 1 / Math.sqrt(d), f, d));
            m.put(HfTensorNames.up(i), gaussian(r, 1 / Math.sqrt(d), f, d));
            m.put(HfTensorNames.down(i), gaussian(r, 1 / Math.sqrt(f), d, f));
        }
        m.put(HfTensorNames.FINAL_NORM, nearOne(r, d));
        if (!c.tieWordEmbeddings()) m.put(HfTensorNames.LM_HEAD, gaussian(r, 2 / Math.sqrt(d), c.vocabSize(), d));
        return m;
    }

    /** Writes config.json, model.safetensors ({@code dtype}) and the test tokenizer files into {@code dir}. */
    public static Map<String, Tensor> writeFolder(Path dir, HfConfig c, long seed, DType dtype) throws IOException {
        Files.createDirectories(dir);
        Map<String, Tensor> w = weights(c, seed);
        Files.write(dir.resolve("config.json"), HfConfigWriter.config(c));
        Files.write(dir.resolve("generation_config.json"), HfConfigWriter.generationConfig(c));
        SafetensorsWriter.write(dir.resolve("model.safetensors").toString(), w, dtype);
        Files.write(dir.resolve("tokenizer.json"), tokenizerJson());
        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"eos_token\": \"<|endoftext|>\", \"chat_template\": \"{% for m in messages %}{{ m['content'] }}<|end|>{% endfor %}\"}");
        return w;
    }

    public static byte[] tokenizerJson() throws IOException {
        try (InputStream in = RandomHfModels.class.getResourceAsStream(TOKENIZER)) {
            return in.readAllBytes();
        }
    }

    private static Tensor gaussian(Random r, double std, long... shape) {
        float[] a = new float[(int) Tensor.count(shape)];
        for (int i = 0; i < a.length; i++) a[i] = (float) (r.nextGaussian() * std);
        return Tensor.of(a, shape);
    }

    private static Tensor nearOne(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (1 + 0.2 * r.nextGaussian());
        return Tensor.of(a, n);
    }
}
