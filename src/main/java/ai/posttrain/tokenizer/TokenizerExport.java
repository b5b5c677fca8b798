package ai.posttrain.tokenizer;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What a GGUF file says about its tokenizer ({@code tokenizer.ggml.*} and {@code tokenizer.chat_template}):
 * a byte-level BPE vocabulary ("gpt2") with one token string and type per embedding row, its merges, the
 * pre-tokenizer name llama.cpp splits text with, the bos/eos/pad ids (-1: none) and the Jinja chat template.
 *
 * <p>Token types follow llama.cpp: control tokens are matched in text only when the caller parses special
 * tokens (a rendered chat) and print as nothing by default; user-defined tokens are always matched and
 * printed; unused rows (embedding padding) are never produced.
 */
public record TokenizerExport(String model, String pre, List<String> tokens, int[] tokenTypes, List<String> merges,
                              int bos, int eos, int pad, String chatTemplate) {
    public static final int NORMAL = 1, CONTROL = 3, USER_DEFINED = 4, UNUSED = 5, BYTE = 6;

    public TokenizerExport {
        tokens = List.copyOf(tokens);
        tokenTypes = tokenTypes.clone();
        merges = List.copyOf(merges);
        if (tokens.size() != tokenTypes.length) {
            throw new IllegalArgumentException(tokens.size() + " tokens but " + tokenTypes.length + " token types");
        }
        for (int id : new int[] {bos, eos, pad}) {
            if (id < -1 || id >= tokens.size()) throw new IllegalArgumentException("special token id " + id + " is outside the " + tokens.size() + " tokens");
        }
    }

    @Override public int[] tokenTypes() { return tokenTypes.clone(); }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenizerExport e && model.equals(e.model) && pre.equals(e.pre) && tokens.equals(e.tokens)
                && Arrays.equals(tokenTypes, e.tokenTypes) && merges.equals(e.merges) && bos == e.bos && eos == e.eos
                && pad == e.pad && java.util.Objects.equals(chatTemplate, e.chatTemplate);
    }

    @Override public int hashCode() { return java.util.Objects.hash(model, pre, tokens, Arrays.hashCode(tokenTypes), merges, bos, eos, pad, chatTemplate); }

    @Override
    public String toString() {
        return "TokenizerExport(" + model + ", pre=" + pre + ", " + tokens.size() + " tokens, " + merges.size() + " merges, bos=" + bos
                + ", eos=" + eos + ", pad=" + pad + ", chat template " + (chatTemplate == null ? "none" : chatTemplate.length() + " chars") + ")";
    }

    /** The export of a byte tokenizer or a model folder's tokenizer (other kinds have no GGUF form yet). */
    public static TokenizerExport of(Tokenizer tokenizer) {
        if (tokenizer instanceof ModelFolderTokenizer folder) return ofModelFolder(folder);
        if (tokenizer instanceof ByteTokenizer bytes) return ofBytes(bytes);
        throw new IllegalArgumentException("cannot export a '" + tokenizer.kind() + "' tokenizer for GGUF (only 'byte' and 'hf-model')");
    }

    /**
     * The byte tokenizer as a GPT-2 vocabulary without merges: token i &lt; 256 is byte i in GPT-2's alphabet, so
     * every text splits into its bytes, as {@link ByteTokenizer#encode} does; then the special tokens by their
     * literal text. &lt;think&gt;/&lt;/think&gt; are user-defined because the byte tokenizer makes them from
     * ordinary text; the others are control tokens, which only the chat template writes.
     */
    static TokenizerExport ofBytes(ByteTokenizer tokenizer) {
        String[] tokens = new String[tokenizer.vocabSize()];
        int[] types = new int[tokens.length];
        for (int b = 0; b < 256; b++) {
            tokens[b] = String.valueOf(ByteLevelAlphabet.charOf(b));
            types[b] = NORMAL;
        }
        for (SpecialToken t : SpecialToken.values()) {
            int id = tokenizer.specialId(t);
            tokens[id] = t.text();
            types[id] = t == SpecialToken.THINK || t == SpecialToken.END_THINK ? USER_DEFINED : CONTROL;
        }
        return new TokenizerExport("gpt2", "default", Arrays.asList(tokens), types, List.of(),
                tokenizer.specialId(SpecialToken.BOS), tokenizer.specialId(SpecialToken.END_OF_TURN),
                tokenizer.specialId(SpecialToken.PAD), BuiltinChatLayout.jinja());
    }

    /**
     * A model folder's byte-level BPE as llama.cpp's converter writes it: the vocabulary by id, rows past it up
     * to config.json's vocab_size as unused "[PAD{id}]" tokens; added tokens by their text, control when special
     * (or shaped like &lt;|...|&gt;, as the converter also treats them), else user-defined.
     */
    static TokenizerExport ofModelFolder(ModelFolderTokenizer tokenizer) {
        String where = tokenizer.folder().where(ModelFolder.TOKENIZER);
        JsonObject root = tokenizer.folder().json(ModelFolder.TOKENIZER);
        JsonObject model = root.getAsJsonObject("model");
        String type = model.has("type") ? model.get("type").getAsString() : (model.has("merges") ? "BPE" : "?");
        if (!"BPE".equals(type) || !GgufPreTokenizer.isByteLevel(root.get("pre_tokenizer"))) {
            throw new IllegalArgumentException(where + ": only byte-level BPE tokenizers can be exported for GGUF (this one is "
                    + type + " with pre-tokenizer steps " + GgufPreTokenizer.steps(root.get("pre_tokenizer")) + ")");
        }
        String[] tokens = new String[tokenizer.vocabSize()];
        int[] types = new int[tokens.length];
        for (Map.Entry<String, JsonElement> e : model.getAsJsonObject("vocab").entrySet()) {
            int id = e.getValue().getAsInt();
            tokens[id] = e.getKey();
            types[id] = NORMAL;
        }
        JsonElement added = root.get("added_tokens");
        if (added != null && added.isJsonArray()) {
            for (JsonElement e : added.getAsJsonArray()) {
                JsonObject t = e.getAsJsonObject();
                int id = t.get("id").getAsInt();
                tokens[id] = t.get("content").getAsString();
                boolean special = t.has("special") && t.get("special").getAsBoolean();
                types[id] = special || looksSpecial(tokens[id]) ? CONTROL : USER_DEFINED;
            }
        }
        for (int id = 0; id < tokens.length; id++) {
            if (tokens[id] == null) {
                tokens[id] = "[PAD" + id + "]";
                types[id] = UNUSED;
            }
        }
        return new TokenizerExport("gpt2", GgufPreTokenizer.nameOf(root.get("pre_tokenizer")), Arrays.asList(tokens), types,
                merges(model, where), tokenizer.has(SpecialToken.BOS) ? tokenizer.specialId(SpecialToken.BOS) : -1,
                tokenizer.eosId(), tokenizer.padTokenId(), tokenizer.chatTemplateText());
    }

    /** Merges as "left right": older files store strings already, tokenizers 0.20+ stores [left, right] pairs. */
    private static List<String> merges(JsonObject model, String where) {
        List<String> out = new ArrayList<>();
        JsonElement merges = model.get("merges");
        if (merges == null || !merges.isJsonArray()) return out;
        for (JsonElement m : merges.getAsJsonArray()) {
            if (m.isJsonPrimitive()) {
                out.add(m.getAsString());
            } else if (m.isJsonArray() && m.getAsJsonArray().size() == 2) {
                out.add(m.getAsJsonArray().get(0).getAsString() + " " + m.getAsJsonArray().get(1).getAsString());
            } else {
                throw new IllegalArgumentException(where + ": merge " + out.size() + " is neither \"a b\" nor [\"a\", \"b\"]: " + m);
            }
        }
        return out;
    }

    /** llama.cpp's converter marks these control even when the file does not (e.g. Qwen's &lt;|fim_prefix|&gt;). */
    private static boolean looksSpecial(String token) {
        return (token.startsWith("<|") && token.endsWith("|>")) || (token.startsWith("<｜") && token.endsWith("｜>"));
    }
}
