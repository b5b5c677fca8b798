package ai.posttrain.data;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * One generated record, with everything SFT, preference and RL readers need: {@code messages}
 * (prompt and reference response), {@code prompt} (the first user turn), and where they apply
 * {@code answer}, {@code tests}, {@code chosen}, {@code rejected}. {@code key} names the underlying
 * problem independently of its wording; it decides the split.
 */
public record BuiltinRecord(String id, String key, String domain, int difficulty, List<Message> messages,
                            String prompt, String answer, List<String> tests, String chosen, String rejected) {
    public BuiltinRecord {
        messages = List.copyOf(messages);
        tests = tests == null ? List.of() : List.copyOf(tests);
    }

    /** A record whose prompt is one user turn and whose reference reply is one assistant turn. */
    public static BuiltinRecord qa(String key, String domain, int difficulty, String prompt, String response,
                                   String answer, List<String> tests) {
        return new BuiltinRecord(null, key, domain, difficulty, List.of(Message.user(prompt), Message.assistant(response)),
                prompt, answer, tests, null, null);
    }

    public BuiltinRecord withId(String newId) {
        return new BuiltinRecord(newId, key, domain, difficulty, messages, prompt, answer, tests, chosen, rejected);
    }

    /** The same record asked with {@code newPrompt}: the prompt and the first user turn, which asks it. */
    public BuiltinRecord withPrompt(String newPrompt) {
        List<Message> asked = new java.util.ArrayList<>(messages);
        int first = 0;
        while (!asked.get(first).role().equals("user")) first++;
        if (!asked.get(first).content().equals(prompt)) throw new IllegalStateException(id + ": the first user turn is not the prompt");
        asked.set(first, Message.user(newPrompt));
        return new BuiltinRecord(id, key, domain, difficulty, asked, newPrompt, answer, tests, chosen, rejected);
    }

    /** One JSONL line; absent fields are left out. */
    public String toJson() {
        ObjectNode o = Json.MAPPER.createObjectNode();
        if (id != null) o.put("id", id);
        o.put("key", key);
        o.put("domain", domain);
        o.put("difficulty", difficulty);
        ArrayNode ms = o.putArray("messages");
        for (Message m : messages) ms.addObject().put("role", m.role()).put("content", m.content());
        if (prompt != null) o.put("prompt", prompt);
        if (answer != null) o.put("answer", answer);
        if (!tests.isEmpty()) {
            ArrayNode ts = o.putArray("tests");
            tests.forEach(ts::add);
        }
        if (chosen != null) o.put("chosen", chosen);
        if (rejected != null) o.put("rejected", rejected);
        return o.toString();
    }
}
