package ai.posttrain.reward;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks every {@code <tool_call>{"name": ..., "arguments": {...}}</tool_call>} block of the answer: strict JSON,
 * a tool from the catalogue, all its required arguments present ("arguments" may also be a JSON string holding
 * the object, as some chat formats write it). Score: the fraction of valid calls; passed: all valid.
 * A non-blank reference names a tool that must be among the calls.
 */
public final class ToolCallVerifier implements Verifier {
    private static final long serialVersionUID = 1L;
    private static final String OPEN = "<tool_call>", CLOSE = "</tool_call>";
    private final Map<String, Set<String>> catalogue;

    /** @param catalogue tool name to its required argument names */
    public ToolCallVerifier(Map<String, Set<String>> catalogue) {
        Map<String, Set<String>> copy = new LinkedHashMap<>();
        catalogue.forEach((name, required) -> copy.put(name, Set.copyOf(required)));
        this.catalogue = Map.copyOf(copy);
    }

    @Override public String name() { return "tool_call"; }

    @Override
    public VerifierResult check(String completion, String reference) {
        String answer = Completions.answerPart(completion);
        List<String> blocks = new ArrayList<>();
        int from = 0;
        while (true) {
            int open = answer.indexOf(OPEN, from);
            if (open < 0) break;
            int close = answer.indexOf(CLOSE, open);
            if (close < 0) return VerifierResult.fail("unterminated " + OPEN, Map.of("calls", blocks.size()));
            blocks.add(answer.substring(open + OPEN.length(), close));
            from = close + CLOSE.length();
        }
        if (blocks.isEmpty()) return VerifierResult.fail("no " + OPEN + " block", Map.of());

        List<Map<String, Object>> calls = new ArrayList<>();
        int valid = 0;
        String firstProblem = null;
        Set<String> called = new TreeSet<>();
        for (String block : blocks) {
            Map<String, Object> row = new LinkedHashMap<>();
            String problem = problemWith(block, row);
            row.put("valid", problem == null);
            if (problem == null) valid++;
            else { row.put("problem", problem); if (firstProblem == null) firstProblem = problem; }
            if (row.get("name") instanceof String n) called.add(n);
            calls.add(row);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("calls", calls);
        details.put("valid_calls", valid);
        if (reference != null && !reference.isBlank() && !called.contains(reference.strip())) {
            return VerifierResult.fail("expected a call to '" + reference.strip() + "', got " + called, details);
        }
        double score = (double) valid / blocks.size();
        if (valid == blocks.size()) return new VerifierResult(1.0, true, valid + " valid tool call(s)", details);
        return new VerifierResult(score, false, valid + "/" + blocks.size() + " tool calls valid; " + firstProblem, details);
    }

    /** Why a block is not a valid call, or null if it is; records the name it found in {@code row}. */
    private String problemWith(String block, Map<String, Object> row) {
        JsonElement json = parseStrict(block);
        if (json == null || !json.isJsonObject()) return "not a JSON object";
        JsonObject call = json.getAsJsonObject();
        JsonElement name = call.get("name");
        if (name == null || !name.isJsonPrimitive() || !name.getAsJsonPrimitive().isString()) return "no string \"name\"";
        String tool = name.getAsString();
        row.put("name", tool);
        if (!catalogue.containsKey(tool)) return "unknown tool '" + tool + "'";
        JsonElement args = call.get("arguments");
        if (args != null && args.isJsonPrimitive() && args.getAsJsonPrimitive().isString()) args = parseStrict(args.getAsString());
        if (args == null && catalogue.get(tool).isEmpty()) return null;
        if (args == null || !args.isJsonObject()) return "tool '" + tool + "' has no \"arguments\" object";
        Set<String> missing = new TreeSet<>(catalogue.get(tool));
        args.getAsJsonObject().entrySet().forEach(e -> missing.remove(e.getKey())); // gson 2.8.0 has no keySet()
        return missing.isEmpty() ? null : "tool '" + tool + "' is missing required argument(s) " + missing;
    }

    /** One strict JSON value and nothing after it, or null. */
    static JsonElement parseStrict(String text) {
        try {
            JsonReader reader = new JsonReader(new StringReader(text.strip()));
            reader.setLenient(false);
            TypeAdapter<JsonElement> adapter = new Gson().getAdapter(JsonElement.class);
            JsonElement value = adapter.read(reader);
            return reader.peek() == JsonToken.END_DOCUMENT ? value : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
