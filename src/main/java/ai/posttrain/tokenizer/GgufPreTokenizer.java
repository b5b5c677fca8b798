package ai.posttrain.tokenizer;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Names a tokenizer.json's pre-tokenizer the way GGUF's {@code tokenizer.ggml.pre} does. llama.cpp does not read
 * the regex from the file: it runs its own copy of each known pre-tokenizer, chosen by this name, and falls
 * back to "default" for one it does not know. Its converter picks the name by hashing the reference
 * tokenizer's ids for a test text, which needs the real vocabulary; here the pre_tokenizer's steps (split
 * regexes, digit splitting, ByteLevel's own GPT-2 regex) are matched against the known families instead,
 * so a file with a changed regex is never given a name whose splitting differs.
 */
public final class GgufPreTokenizer {
    private GgufPreTokenizer() {}

    /** Llama 3's split regex (llama.cpp "llama-bpe"): numbers in runs of up to three digits. */
    static final String LLAMA3_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** Qwen2's split regex (llama.cpp "qwen2"): as Llama 3's but one digit per piece. */
    static final String QWEN2_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private static final Map<List<String>, String> KNOWN = Map.of(
            List.of("ByteLevel(gpt2-regex)"), "gpt-2",
            List.of("Digits(individual)", "ByteLevel(gpt2-regex)"), "smollm",   // SmolLM/SmolLM2, StarCoder-style
            List.of("Split(" + LLAMA3_REGEX + ")", "ByteLevel"), "llama-bpe",
            List.of("Split(" + QWEN2_REGEX + ")", "ByteLevel"), "qwen2");

    /** The GGUF pre-tokenizer name of tokenizer.json's "pre_tokenizer" (null or absent: "default"). */
    public static String nameOf(JsonElement preTokenizer) {
        return KNOWN.getOrDefault(steps(preTokenizer), "default");
    }

    /** Whether the pre-tokenizer maps bytes to GPT-2's alphabet (a ByteLevel step): what a "gpt2" vocabulary needs. */
    static boolean isByteLevel(JsonElement preTokenizer) {
        return steps(preTokenizer).stream().anyMatch(s -> s.startsWith("ByteLevel"));
    }

    /** One description per step: the facts that change how text is split, nothing else. */
    static List<String> steps(JsonElement preTokenizer) {
        List<String> out = new ArrayList<>();
        addSteps(preTokenizer, out);
        return out;
    }

    private static void addSteps(JsonElement e, List<String> out) {
        if (e == null || e.isJsonNull() || !e.isJsonObject()) return;
        JsonObject o = e.getAsJsonObject();
        String type = string(o, "type", "");
        switch (type) {
            case "Sequence" -> {
                JsonElement list = o.get("pretokenizers");
                if (list != null && list.isJsonArray()) for (JsonElement step : list.getAsJsonArray()) addSteps(step, out);
            }
            // tokenizers' defaults: add_prefix_space and use_regex are true when absent
            case "ByteLevel" -> out.add("ByteLevel" + (bool(o, "add_prefix_space", true) ? "(prefix-space)" : "")
                    + (bool(o, "use_regex", true) ? "(gpt2-regex)" : ""));
            case "Digits" -> out.add(bool(o, "individual_digits", false) ? "Digits(individual)" : "Digits");
            case "Split" -> {
                JsonObject pattern = o.has("pattern") && o.get("pattern").isJsonObject() ? o.getAsJsonObject("pattern") : new JsonObject();
                String regex = pattern.has("Regex") ? string(pattern, "Regex", "") : "literal:" + string(pattern, "String", "");
                boolean plain = "Isolated".equals(string(o, "behavior", "")) && !bool(o, "invert", false);
                out.add("Split(" + regex + ")" + (plain ? "" : "[" + string(o, "behavior", "") + ", invert=" + bool(o, "invert", false) + "]"));
            }
            default -> out.add(type);
        }
    }

    private static String string(JsonObject o, String key, String fallback) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? fallback : e.getAsString();
    }

    private static boolean bool(JsonObject o, String key, boolean fallback) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? fallback : e.getAsBoolean();
    }
}
