package ai.posttrain.tokenizer;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A tokenizer that has no Hugging Face files of its own (the built-in byte tokenizer) written as the files
 * transformers and vLLM load: {@code tokenizer.json} (byte-level BPE: the normal tokens as the vocabulary, the
 * merges, control tokens as special added tokens and user-defined ones as plain added tokens, at their ids),
 * {@code tokenizer_config.json} (bos/eos/pad, the chat template, add_bos_token) and
 * {@code special_tokens_map.json}. Built from the same {@link TokenizerExport} the GGUF file carries, so both
 * exports describe one tokenizer.
 */
public final class HfTokenizerFiles {
    private static final Gson JSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls().create();

    private HfTokenizerFiles() {}

    /** File name to contents. */
    public static Map<String, byte[]> of(TokenizerExport e) {
        if (!"gpt2".equals(e.model())) throw new IllegalArgumentException("only byte-level BPE exports as tokenizer.json, got " + e.model());
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(ModelFolder.TOKENIZER, bytes(tokenizerJson(e)));
        files.put(ModelFolder.TOKENIZER_CONFIG, bytes(tokenizerConfig(e)));
        files.put(ModelFolder.SPECIAL_TOKENS_MAP, bytes(specialTokens(e)));
        return files;
    }

    static JsonObject tokenizerJson(TokenizerExport e) {
        JsonObject vocab = new JsonObject();
        JsonArray added = new JsonArray();
        int[] types = e.tokenTypes();
        for (int id = 0; id < types.length; id++) {
            String text = e.tokens().get(id);
            switch (types[id]) {
                case TokenizerExport.NORMAL -> vocab.addProperty(text, id);
                case TokenizerExport.CONTROL -> added.add(addedToken(id, text, true));
                case TokenizerExport.USER_DEFINED -> added.add(addedToken(id, text, false));
                default -> { }   // unused embedding rows have no token
            }
        }
        JsonObject model = new JsonObject();
        model.addProperty("type", "BPE");
        model.add("dropout", JsonNull.INSTANCE);
        model.add("unk_token", JsonNull.INSTANCE);
        model.add("continuing_subword_prefix", JsonNull.INSTANCE);
        model.add("end_of_word_suffix", JsonNull.INSTANCE);
        model.addProperty("fuse_unk", false);
        model.addProperty("byte_fallback", false);
        model.add("vocab", vocab);
        JsonArray merges = new JsonArray();
        e.merges().forEach(merges::add);
        model.add("merges", merges);

        JsonObject root = new JsonObject();
        root.addProperty("version", "1.0");
        root.add("truncation", JsonNull.INSTANCE);
        root.add("padding", JsonNull.INSTANCE);
        root.add("added_tokens", added);
        root.add("normalizer", JsonNull.INSTANCE);
        root.add("pre_tokenizer", byteLevel());
        root.add("post_processor", JsonNull.INSTANCE);   // nothing added around an encoding: the template writes BOS
        root.add("decoder", byteLevel());
        root.add("model", model);
        return root;
    }

    /** GPT-2's byte-level step: bytes to the printable alphabet (and back, as the decoder). */
    private static JsonObject byteLevel() {
        JsonObject b = new JsonObject();
        b.addProperty("type", "ByteLevel");
        b.addProperty("add_prefix_space", false);
        b.addProperty("trim_offsets", true);
        b.addProperty("use_regex", true);
        return b;
    }

    /** One entry of tokenizer.json's added_tokens, as transformers writes it. */
    static JsonObject addedToken(int id, String text, boolean special) {
        JsonObject t = new JsonObject();
        t.addProperty("id", id);
        t.addProperty("content", text);
        t.addProperty("single_word", false);
        t.addProperty("lstrip", false);
        t.addProperty("rstrip", false);
        t.addProperty("normalized", false);
        t.addProperty("special", special);
        return t;
    }

    static JsonObject tokenizerConfig(TokenizerExport e) {
        JsonObject c = specialTokens(e);
        c.addProperty("add_bos_token", e.addBos());
        c.addProperty("add_eos_token", false);
        c.addProperty("clean_up_tokenization_spaces", false);
        c.addProperty("tokenizer_class", "PreTrainedTokenizerFast");
        if (e.chatTemplate() != null) c.addProperty("chat_template", e.chatTemplate());
        return c;
    }

    static JsonObject specialTokens(TokenizerExport e) {
        JsonObject m = new JsonObject();
        putToken(m, "bos_token", e, e.bos());
        putToken(m, "eos_token", e, e.eos());
        putToken(m, "pad_token", e, e.pad());
        return m;
    }

    private static void putToken(JsonObject m, String key, TokenizerExport e, int id) {
        if (id >= 0) m.addProperty(key, e.tokens().get(id));
    }

    private static byte[] bytes(JsonObject o) {
        return JSON.toJson(o).getBytes(StandardCharsets.UTF_8);
    }
}
