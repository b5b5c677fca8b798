package ai.posttrain.format.hf;

/** Tensor names of LlamaForCausalLM / Qwen2ForCausalLM checkpoints (nn.Linear weights are [out, in]). */
public final class HfTensorNames {
    public static final String EMBED = "model.embed_tokens.weight";
    public static final String FINAL_NORM = "model.norm.weight";
    public static final String LM_HEAD = "lm_head.weight";

    private HfTensorNames() {}

    private static String layer(int i, String rest) {
        return "model.layers." + i + "." + rest;
    }

    public static String inputNorm(int i) { return layer(i, "input_layernorm.weight"); }
    public static String postAttentionNorm(int i) { return layer(i, "post_attention_layernorm.weight"); }
    public static String q(int i) { return layer(i, "self_attn.q_proj.weight"); }
    public static String k(int i) { return layer(i, "self_attn.k_proj.weight"); }
    public static String v(int i) { return layer(i, "self_attn.v_proj.weight"); }
    public static String qBias(int i) { return layer(i, "self_attn.q_proj.bias"); }
    public static String kBias(int i) { return layer(i, "self_attn.k_proj.bias"); }
    public static String vBias(int i) { return layer(i, "self_attn.v_proj.bias"); }
    public static String o(int i) { return layer(i, "self_attn.o_proj.weight"); }
    public static String gate(int i) { return layer(i, "mlp.gate_proj.weight"); }
    public static String up(int i) { return layer(i, "mlp.up_proj.weight"); }
    public static String down(int i) { return layer(i, "mlp.down_proj.weight"); }
}
