package ai.posttrain.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * One {@code <tool_call>{"name": ..., "arguments": {...}}</tool_call>} block in an assistant turn.
 * {@link #parseAll} is shared by the data validator and the tool-call verifier.
 */
public record ToolCall(String name, ObjectNode arguments) {
    public static final String OPEN = "<tool_call>";
    public static final String CLOSE = "</tool_call>";

    /** Renders the canonical block, e.g. {@code <tool_call>{"name":"calculator","arguments":{...}}</tool_call>}. */
    public String render() {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("name", name);
        body.set("arguments", arguments);
        return OPEN + body + CLOSE;
    }

    /**
     * Every tool call in {@code text}, in order. Throws IllegalArgumentException, with a readable
     * message, for an unclosed block or a body that is not {"name": string, "arguments": object}
     * ("arguments" may be omitted: no arguments).
     */
    public static List<ToolCall> parseAll(String text) {
        List<ToolCall> calls = new ArrayList<>();
        int from = 0;
        while (true) {
            int open = text.indexOf(OPEN, from);
            if (open < 0) return calls;
            int close = text.indexOf(CLOSE, open + OPEN.length());
            if (close < 0) throw new IllegalArgumentException("unclosed " + OPEN);
            calls.add(parseBody(text.substring(open + OPEN.length(), close).trim()));
            from = close + CLOSE.length();
        }
    }

    /** The tool {@code text} calls first; null when it calls none or its calls do not parse. */
    public static String firstName(String text) {
        if (text == null || !text.contains(OPEN)) return null;
        try {
            List<ToolCall> calls = parseAll(text);
            return calls.isEmpty() ? null : calls.get(0).name();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static ToolCall parseBody(String body) {
        JsonNode node;
        try {
            node = Json.STRICT.readTree(body);
        } catch (Exception e) {
            throw new IllegalArgumentException("tool call is not JSON: " + Json.shortMessage(e));
        }
        if (node == null || !node.isObject()) throw new IllegalArgumentException("tool call is not a JSON object");
        JsonNode name = node.get("name");
        if (name == null || !name.isTextual() || name.asText().isBlank())
            throw new IllegalArgumentException("tool call has no \"name\" string");
        JsonNode args = node.get("arguments");
        if (args == null || args.isNull()) return new ToolCall(name.asText(), Json.MAPPER.createObjectNode());
        if (!args.isObject()) throw new IllegalArgumentException("tool call \"arguments\" is not an object");
        return new ToolCall(name.asText(), (ObjectNode) args);
    }
}
