package ai.posttrain.tokenizer;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The tokenizer of a Hugging Face model folder: tokenizer.json for ids, the folder's chat template for chats,
 * eos/bos/pad from tokenizer_config.json (else special_tokens_map.json), stop ids from generation_config.json,
 * and the embedding size from config.json's vocab_size. Nothing is appended to the vocabulary: the model's
 * embedding has exactly the folder's rows.
 *
 * <p>Special tokens: END_OF_TURN is the marker the template closes an assistant turn with (e.g. &lt;|im_end|&gt;,
 * &lt;|eot_id|&gt;), PAD the pad token or else eos, BOS the folder's bos, THINK/END_THINK the vocabulary's
 * &lt;think&gt;/&lt;/think&gt; when it has them (else they are plain text). The folder has no role tokens: its
 * template writes roles as text. Asking for a token the folder lacks is an error naming it.
 *
 * <p>{@link #encode} never yields a special added token from text (user content cannot inject &lt;|im_end|&gt;);
 * non-special added tokens (e.g. Qwen's &lt;tool_call&gt;) encode as the file defines them, as in transformers.
 */
public final class ModelFolderTokenizer implements Tokenizer {
    private static final long serialVersionUID = 1L;

    private final ModelFolder folder;
    private final NativeHfTokenizer tokenizer;
    private final int tokenizerSize;
    private final int vocabSize;
    private final Map<String, Integer> specialLiterals;   // special=true added tokens, guarded in text
    private final List<String> guarded;                    // the same, longest first
    private final Map<String, String> templateTokens;      // bos_token, eos_token, ... as template variables
    private final String chatTemplate;                     // null when the folder has none
    private final int[] specialIds;                        // by SpecialToken ordinal; -1 = the folder has none
    private final List<Integer> stopIds;
    private final int eosId;                               // the folder's eos (tokenizer_config, else generation_config, config)
    private final int padTokenId;                          // the folder's own pad token; -1 when it names none
    private final Clock clock;

    public ModelFolderTokenizer(ModelFolder folder) { this(folder, Clock.systemDefaultZone()); }

    /** @param clock what the template's strftime_now reads (tests pin it) */
    public ModelFolderTokenizer(ModelFolder folder, Clock clock) {
        this.folder = folder;
        this.clock = clock;
        this.tokenizer = new NativeHfTokenizer(folder.where(ModelFolder.TOKENIZER), folder.bytes(ModelFolder.TOKENIZER));
        JsonObject tokJson = folder.json(ModelFolder.TOKENIZER);
        Map<String, Integer> vocab = vocabulary(tokJson);
        Map<String, Integer> added = new LinkedHashMap<>();
        this.specialLiterals = new LinkedHashMap<>();
        JsonElement list = tokJson.get("added_tokens");
        if (list != null && list.isJsonArray()) {
            for (JsonElement e : list.getAsJsonArray()) {
                JsonObject t = e.getAsJsonObject();
                String content = t.get("content").getAsString();
                int id = t.get("id").getAsInt();
                added.put(content, id);
                if (t.has("special") && t.get("special").getAsBoolean()) specialLiterals.put(content, id);
            }
        }
        int maxId = -1;
        for (int id : vocab.values()) maxId = Math.max(maxId, id);
        for (int id : added.values()) maxId = Math.max(maxId, id);
        this.tokenizerSize = maxId + 1;
        this.vocabSize = Math.max(tokenizerSize, intOr(folder.json(ModelFolder.CONFIG), "vocab_size", ModelFolder.CONFIG, -1));

        Map<String, Integer> ids = new HashMap<>(vocab);
        ids.putAll(added);
        JsonObject config = folder.json(ModelFolder.TOKENIZER_CONFIG);
        JsonObject specialMap = folder.json(ModelFolder.SPECIAL_TOKENS_MAP);
        this.templateTokens = new LinkedHashMap<>();
        for (String key : List.of("bos_token", "eos_token", "pad_token", "unk_token")) {
            String text = tokenText(config, key, ModelFolder.TOKENIZER_CONFIG);
            if (text == null) text = tokenText(specialMap, key, ModelFolder.SPECIAL_TOKENS_MAP);
            if (text != null) templateTokens.put(key, text);
        }
        this.chatTemplate = chatTemplate(folder, config);

        this.specialIds = new int[SpecialToken.values().length];
        java.util.Arrays.fill(specialIds, -1);
        JsonObject generation = folder.json(ModelFolder.GENERATION_CONFIG);
        List<Integer> generationEos = idList(generation, "eos_token_id", ModelFolder.GENERATION_CONFIG);
        int eos = idOf(ids, "eos_token");
        if (eos < 0 && !generationEos.isEmpty()) eos = generationEos.get(0);
        if (eos < 0) eos = intOr(folder.json(ModelFolder.CONFIG), "eos_token_id", ModelFolder.CONFIG, -1);
        if (eos < 0) throw new IllegalArgumentException(folder.where(ModelFolder.TOKENIZER_CONFIG) + ": no eos_token (nor eos_token_id in "
                + ModelFolder.GENERATION_CONFIG + " or " + ModelFolder.CONFIG + ")");
        specialIds[SpecialToken.BOS.ordinal()] = idOf(ids, "bos_token");
        int pad = idOf(ids, "pad_token");
        this.eosId = eos;
        this.padTokenId = pad;
        specialIds[SpecialToken.PAD.ordinal()] = pad >= 0 ? pad : eos;
        specialIds[SpecialToken.THINK.ordinal()] = added.getOrDefault(SpecialToken.THINK.text(), -1);
        specialIds[SpecialToken.END_THINK.ordinal()] = added.getOrDefault(SpecialToken.END_THINK.text(), -1);

        List<String> g = new ArrayList<>(specialLiterals.keySet());
        g.remove(SpecialToken.THINK.text());
        g.remove(SpecialToken.END_THINK.text());
        g.removeIf(String::isEmpty);
        g.sort((a, b) -> b.length() - a.length()); // longest first when two match at one position
        this.guarded = List.copyOf(g);

        int endOfTurn = chatTemplate == null ? -1 : JinjaChatLayout.probeEndOfTurn(this);
        specialIds[SpecialToken.END_OF_TURN.ordinal()] = endOfTurn >= 0 ? endOfTurn : eos;
        Set<Integer> stops = new LinkedHashSet<>();
        stops.add(specialIds[SpecialToken.END_OF_TURN.ordinal()]);
        stops.addAll(generationEos);
        stops.add(eos);
        stops.removeIf(id -> id < 0 || id >= tokenizerSize);
        this.stopIds = List.copyOf(stops);
    }

    @Override public String kind() { return "hf-model"; }

    /** The embedding's rows: config.json's vocab_size when it is larger than the tokenizer's vocabulary. */
    @Override public int vocabSize() { return vocabSize; }

    /** Ids the tokenizer can produce are below this. */
    public int tokenizerSize() { return tokenizerSize; }

    public ModelFolder folder() { return folder; }

    /** The Jinja chat template, or null when the folder has none. */
    public String chatTemplateText() { return chatTemplate; }

    /** The folder's special token strings by template variable name (bos_token, eos_token, pad_token, unk_token). */
    public Map<String, String> templateTokens() { return Map.copyOf(templateTokens); }

    public List<Integer> stopIds() { return stopIds; }

    /** The folder's eos token id (tokenizer_config.json's eos_token, else generation_config.json's or config.json's eos_token_id). */
    public int eosId() { return eosId; }

    /** The folder's pad token id, or -1 when it names none ({@link SpecialToken#PAD} then falls back to eos). */
    public int padTokenId() { return padTokenId; }

    /** Whether the folder has this special token. */
    @Override
    public boolean has(SpecialToken token) { return specialIds[token.ordinal()] >= 0; }

    @Override
    public int specialId(SpecialToken token) {
        int id = specialIds[token.ordinal()];
        if (id < 0) {
            throw new IllegalStateException(folder.where(ModelFolder.TOKENIZER) + " has no " + token + " token ("
                    + switch (token) {
                        case SYSTEM, USER, ASSISTANT, TOOL -> "its chat template writes roles as text";
                        case BOS -> "tokenizer_config.json sets no bos_token";
                        default -> "no added token '" + token.text() + "'";
                    } + ")");
        }
        return id;
    }

    @Override
    public ChatLayout chatLayout() {
        if (chatTemplate == null) {
            throw new IllegalArgumentException(folder.where(ModelFolder.TOKENIZER_CONFIG) + ": no chat_template (nor "
                    + ModelFolder.CHAT_TEMPLATE + "); post-training needs the model's chat template");
        }
        return new JinjaChatLayout(this, new JinjaTemplate(folder.dir(), chatTemplate, templateTokens, clock));
    }

    /** Text to ids; special added tokens in the text are split so they stay text. */
    @Override
    public int[] encode(String text) {
        IntList ids = new IntList(text.length() / 3 + 8);
        int start = 0;
        while (true) {
            int at = -1;
            String hit = null;
            for (String literal : guarded) {
                int i = text.indexOf(literal, start);
                if (i >= 0 && (at < 0 || i < at)) { at = i; hit = literal; }
            }
            if (hit == null) { ids.addAll(tokenizer.encode(text.substring(start))); return ids.toArray(); }
            ids.addAll(tokenizer.encode(text.substring(start, at)));
            int cut = hit.offsetByCodePoints(0, 1);
            ids.addAll(tokenizer.encode(hit.substring(0, cut)));
            ids.addAll(tokenizer.encode(hit.substring(cut)));
            start = at + hit.length();
        }
    }

    /** Template output to ids: every added token in it becomes its id (only for text the template wrote). */
    int[] encodeTemplateText(String text) { return tokenizer.encode(text); }

    /** The special added tokens (text to id) that {@link #encode} keeps from matching. */
    List<String> guardedLiterals() { return guarded; }

    boolean isSpecialAdded(int id) { return specialLiterals.containsValue(id); }

    /** Ids to text, special tokens included; ids past the tokenizer (embedding padding rows) are dropped. */
    @Override
    public String decode(int[] ids) {
        long[] kept = new long[ids.length];
        int n = 0;
        for (int id : ids) {
            if (id < 0 || id >= vocabSize) throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + vocabSize + ") of " + folder.dir());
            if (id < tokenizerSize) kept[n++] = id;
        }
        return tokenizer.decode(java.util.Arrays.copyOf(kept, n));
    }

    private int idOf(Map<String, Integer> ids, String key) {
        String text = templateTokens.get(key);
        if (text == null) return -1;
        Integer id = ids.get(text);
        if (id == null) throw new IllegalArgumentException(folder.where(ModelFolder.TOKENIZER_CONFIG) + ": " + key + " '" + text
                + "' is not in " + ModelFolder.TOKENIZER);
        return id;
    }

    /** A token field: a string, an AddedToken object {"content": ...}, or null/absent. */
    private String tokenText(JsonObject json, String key, String file) {
        JsonElement e = json.get(key);
        if (e == null || e.isJsonNull()) return null;
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) return e.getAsString();
        if (e.isJsonObject() && e.getAsJsonObject().has("content")) return e.getAsJsonObject().get("content").getAsString();
        throw new IllegalArgumentException(folder.where(file) + ": " + key + " must be a string or an object with 'content'");
    }

    /** chat_template.jinja wins (newer transformers save it there); else tokenizer_config.json's chat_template,
     *  a string or a list of {name, template} of which "default" (else the first) is the chat template. */
    private static String chatTemplate(ModelFolder folder, JsonObject config) {
        String file = folder.text(ModelFolder.CHAT_TEMPLATE);
        if (file != null && !file.isBlank()) return file;
        JsonElement e = config.get("chat_template");
        if (e == null || e.isJsonNull()) return null;
        if (e.isJsonPrimitive()) return e.getAsString();
        if (e.isJsonArray() && e.getAsJsonArray().size() > 0) {
            JsonArray named = e.getAsJsonArray();
            for (JsonElement t : named) {
                if (t.isJsonObject() && "default".equals(optString(t.getAsJsonObject(), "name"))) return optString(t.getAsJsonObject(), "template");
            }
            if (named.get(0).isJsonObject() && named.get(0).getAsJsonObject().has("template")) return optString(named.get(0).getAsJsonObject(), "template");
        }
        throw new IllegalArgumentException(folder.where(ModelFolder.TOKENIZER_CONFIG)
                + ": chat_template must be a string or a list of {\"name\", \"template\"} objects");
    }

    private static String optString(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? null : e.getAsString();
    }

    private int intOr(JsonObject json, String key, String file, int fallback) {
        List<Integer> ids = idList(json, key, file);
        return ids.isEmpty() ? fallback : ids.get(0);
    }

    /** An int or a list of ints (generation_config's eos_token_id may be either). */
    private List<Integer> idList(JsonObject json, String key, String file) {
        JsonElement e = json.get(key);
        List<Integer> out = new ArrayList<>();
        if (e == null || e.isJsonNull()) return out;
        try {
            if (e.isJsonArray()) for (JsonElement x : e.getAsJsonArray()) out.add(x.getAsInt());
            else out.add(e.getAsInt());
        } catch (RuntimeException ex) {
            throw new IllegalArgumentException(folder.where(file) + ": " + key + " must be an integer or a list of integers");
        }
        return out;
    }

    /** BPE/WordLevel/WordPiece store {token: id}; Unigram stores [[piece, score], ...] with ids by position. */
    private Map<String, Integer> vocabulary(JsonObject root) {
        JsonElement model = root.get("model");
        JsonElement vocab = model != null && model.isJsonObject() ? model.getAsJsonObject().get("vocab") : null;
        if (vocab == null) throw new IllegalArgumentException(folder.where(ModelFolder.TOKENIZER) + " has no model.vocab");
        Map<String, Integer> out = new HashMap<>();
        if (vocab.isJsonArray()) {
            JsonArray a = vocab.getAsJsonArray();
            for (int i = 0; i < a.size(); i++) out.put(a.get(i).getAsJsonArray().get(0).getAsString(), i);
        } else {
            for (Map.Entry<String, JsonElement> e : vocab.getAsJsonObject().entrySet()) out.put(e.getKey(), e.getValue().getAsInt());
        }
        return out;
    }

    @Override public String toString() { return "ModelFolderTokenizer(" + folder.dir() + ", vocab=" + vocabSize + ")"; }

    @Override public boolean equals(Object o) { return o instanceof ModelFolderTokenizer m && m.tokenizer.digest().equals(tokenizer.digest()) && java.util.Objects.equals(m.chatTemplate, chatTemplate); }

    @Override public int hashCode() { return tokenizer.digest().hashCode(); }
}
