package ai.posttrain.format.gguf;

import ai.posttrain.tokenizer.TokenizerExport;
import ai.posttrain.format.ModelFormatException;
import ai.posttrain.format.Tensor;
import ai.posttrain.format.gguf.GgufWriter.GgmlType;
import ai.posttrain.format.hf.HfConfig;
import ai.posttrain.format.hf.HfTensorNames;
import org.apache.hadoop.conf.Configuration;

import java.util.Map;

/**
 * A Llama-family model (HF config + HF-named tensors) as the GGUF file llama.cpp loads: architecture
 * "llama" for LlamaForCausalLM, "qwen2" for Qwen2ForCausalLM, with llama.cpp's tensor names and KVs and the
 * tokenizer inside. Mirrors llama.cpp's convert_hf_to_gguf.py: for "llama" the q/k rows are permuted from
 * HF's half-split rotary layout to llama.cpp's interleaved pairs; "qwen2" keeps HF's order (llama.cpp
 * runs it in NEOX rope mode). With F16, matrices are F16 and 1-D tensors (norms, biases) stay F32.
 */
public final class GgufModelWriter {
    private GgufModelWriter() {}

    public static void write(String path, String name, HfConfig cfg, Map<String, Tensor> hfTensors,
                             TokenizerExport tokenizer, GgmlType matrixType, Configuration hadoop) {
        String arch = HfConfig.QWEN2.equals(cfg.architecture()) ? "qwen2" : "llama";
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", arch)
                .putString("general.name", name)
                .putUint32("general.file_type", matrixType == GgmlType.F32 ? 0 : 1)
                .putUint32(arch + ".vocab_size", cfg.vocabSize())
                .putUint32(arch + ".context_length", cfg.maxPositionEmbeddings())
                .putUint32(arch + ".embedding_length", cfg.hiddenSize())
                .putUint32(arch + ".block_count", cfg.numHiddenLayers())
                .putUint32(arch + ".feed_forward_length", cfg.intermediateSize())
                .putUint32(arch + ".attention.head_count", cfg.numAttentionHeads())
                .putUint32(arch + ".attention.head_count_kv", cfg.numKeyValueHeads())
                .putUint32(arch + ".rope.dimension_count", cfg.headDim())
                .putFloat32(arch + ".rope.freq_base", (float) cfg.ropeTheta())
                .putFloat32(arch + ".attention.layer_norm_rms_epsilon", (float) cfg.rmsNormEps());
        putTokenizer(w, tokenizer, cfg.vocabSize());

        Tensors t = new Tensors(hfTensors, w, matrixType);
        t.add("token_embd.weight", HfTensorNames.EMBED, null);
        for (int i = 0; i < cfg.numHiddenLayers(); i++) {
            String blk = "blk." + i + ".";
            t.add(blk + "attn_norm.weight", HfTensorNames.inputNorm(i), null);
            boolean permute = arch.equals("llama");
            t.add(blk + "attn_q.weight", HfTensorNames.q(i), permute ? cfg.numAttentionHeads() : null);
            t.add(blk + "attn_k.weight", HfTensorNames.k(i), permute ? cfg.numKeyValueHeads() : null);
            t.add(blk + "attn_v.weight", HfTensorNames.v(i), null);
            if (cfg.qkvBias()) {
                t.add(blk + "attn_q.bias", HfTensorNames.qBias(i), null);
                t.add(blk + "attn_k.bias", HfTensorNames.kBias(i), null);
                t.add(blk + "attn_v.bias", HfTensorNames.vBias(i), null);
            }
            t.add(blk + "attn_output.weight", HfTensorNames.o(i), null);
            t.add(blk + "ffn_norm.weight", HfTensorNames.postAttentionNorm(i), null);
            t.add(blk + "ffn_gate.weight", HfTensorNames.gate(i), null);
            t.add(blk + "ffn_up.weight", HfTensorNames.up(i), null);
            t.add(blk + "ffn_down.weight", HfTensorNames.down(i), null);
        }
        t.add("output_norm.weight", HfTensorNames.FINAL_NORM, null);
        if (!cfg.tieWordEmbeddings()) t.add("output.weight", HfTensorNames.LM_HEAD, null);
        w.write(path, hadoop);
    }

    private static void putTokenizer(GgufWriter w, TokenizerExport tok, int modelVocab) {
        if (tok.tokens().size() != modelVocab)
            throw new ModelFormatException("tokenizer", "tokens", tok.tokens().size() + " tokens for a model vocabulary of " + modelVocab);
        w.putString("tokenizer.ggml.model", tok.model())
                .putString("tokenizer.ggml.pre", tok.pre())
                .putStrings("tokenizer.ggml.tokens", tok.tokens())
                .putInt32s("tokenizer.ggml.token_type", tok.tokenTypes())
                .putStrings("tokenizer.ggml.merges", tok.merges())
                .putUint32("tokenizer.ggml.bos_token_id", tok.bos())
                .putUint32("tokenizer.ggml.eos_token_id", tok.eos());
        if (tok.pad() >= 0) w.putUint32("tokenizer.ggml.padding_token_id", tok.pad());
        if (tok.chatTemplate() != null) w.putString("tokenizer.chat_template", tok.chatTemplate());
    }

    /**
     * llama.cpp's permute(): per head, rows [half, i] (HF: first half then second half of the rotary pairs)
     * become rows [i, half], i.e. reshape(heads, 2, hd/2, in).swapaxes(1, 2).
     */
    static Tensor permuteRotaryRows(Tensor w, int heads) {
        int rows = (int) w.shape()[0], cols = (int) w.shape()[1];
        int hd = rows / heads, half = hd / 2;
        float[] out = new float[w.data().length];
        for (int h = 0; h < heads; h++)
            for (int part = 0; part < 2; part++)
                for (int i = 0; i < half; i++)
                    System.arraycopy(w.data(), (h * hd + part * half + i) * cols, out, (h * hd + i * 2 + part) * cols, cols);
        return Tensor.of(out, rows, cols);
    }

    /** Adds tensors by their HF name, failing with the missing name. */
    private record Tensors(Map<String, Tensor> hf, GgufWriter w, GgmlType matrixType) {
        void add(String ggufName, String hfName, Integer permuteHeads) {
            Tensor t = hf.get(hfName);
            if (t == null) throw new ModelFormatException("weights", hfName, "missing");
            if (permuteHeads != null) t = permuteRotaryRows(t, permuteHeads);
            w.addTensor(ggufName, t, t.rank() == 1 ? GgmlType.F32 : matrixType);
        }
    }
}
