package ai.posttrain.data;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The one place where an input record is checked: JSON text in, an outcome row out
 * ({@link RecordSchemas#outcome}). Runs on executors; holds only serializable state.
 */
final class RecordValidator implements Serializable {
    private final RecordKind kind;
    private final TokenCounter counter;
    private final int maxTokens;

    /** {@code counter} null or {@code maxTokens <= 0} turns the length check off. */
    RecordValidator(RecordKind kind, TokenCounter counter, int maxTokens) {
        this.kind = kind;
        this.counter = counter;
        this.maxTokens = maxTokens;
    }

    /** Thrown inside validation to stop at the first problem; never leaves this class. */
    private static final class Invalid extends Exception {
        final String field;
        final RejectReason reason;

        Invalid(String field, RejectReason reason, String detail) {
            super(detail, null, false, false);
            this.field = field;
            this.reason = reason;
        }
    }

    /** A whitespace-only line is reported as "blank" and belongs to neither table. */
    Row check(int input, String source, long line, String raw) {
        if (raw == null || raw.isBlank()) return RowFactory.create(input, "blank", null, null, null);
        try {
            Row valid = validRow(parse(raw), source, line);
            return RowFactory.create(input, "valid", null, valid, null);
        } catch (Invalid e) {
            String cut = raw.length() > RecordSchemas.RAW_LIMIT ? raw.substring(0, RecordSchemas.RAW_LIMIT) : raw;
            Row rejected = RowFactory.create(source, line, e.field, e.reason.code(), e.getMessage(), cut);
            return RowFactory.create(input, "rejected", e.reason.code(), null, rejected);
        }
    }

    private static JsonNode parse(String raw) throws Invalid {
        JsonNode node;
        try {
            node = Json.STRICT.readTree(raw);
        } catch (Exception e) {
            throw new Invalid(null, RejectReason.BAD_JSON, Json.shortMessage(e));
        }
        if (node == null || !node.isObject())
            throw new Invalid(null, RejectReason.BAD_JSON, "not a JSON object");
        return node;
    }

    private Row validRow(JsonNode rec, String source, long line) throws Invalid {
        String id = id(rec, source, line);
        return switch (kind) {
            case SFT -> sft(rec, id, source, line);
            case PREFERENCE -> preference(rec, id, source, line);
            case RL -> rl(rec, id, source, line);
        };
    }

    private Row sft(JsonNode rec, String id, String source, long line) throws Invalid {
        String domain = optionalString(rec, "domain", RecordSchemas.DEFAULT_DOMAIN);
        Integer difficulty = difficulty(rec);
        List<Message> messages = messages(rec, "messages");
        if (messages.stream().noneMatch(m -> m.role().equals("assistant")))
            throw new Invalid("messages", RejectReason.NO_ASSISTANT, "no assistant turn to train on");
        checkLength(messages);
        return RowFactory.create(id, source, line, domain, difficulty, seq(messageRows(messages)));
    }

    private Row preference(JsonNode rec, String id, String source, long line) throws Invalid {
        String domain = optionalString(rec, "domain", RecordSchemas.DEFAULT_DOMAIN);
        List<Message> prompt;
        if (present(rec, "prompt")) {
            prompt = List.of(Message.user(nonBlank(rec, "prompt", RejectReason.EMPTY_FIELD)));
        } else if (present(rec, "messages")) {
            prompt = messages(rec, "messages");
            if (!prompt.get(prompt.size() - 1).role().equals("user"))
                throw new Invalid("messages", RejectReason.BAD_VALUE, "a preference prompt must end with a user turn");
        } else {
            throw new Invalid("prompt", RejectReason.MISSING_FIELD, "needs \"prompt\" or \"messages\"");
        }
        String chosen = nonBlank(rec, "chosen", RejectReason.EMPTY_ASSISTANT);
        String rejected = nonBlank(rec, "rejected", RejectReason.EMPTY_ASSISTANT);
        if (chosen.equals(rejected))
            throw new Invalid("rejected", RejectReason.BAD_VALUE, "chosen and rejected are the same text");
        checkToolCalls("chosen", chosen);
        checkToolCalls("rejected", rejected);
        checkLength(withReply(prompt, chosen));
        checkLength(withReply(prompt, rejected));
        return RowFactory.create(id, source, line, domain, seq(messageRows(prompt)), chosen, rejected);
    }

    private Row rl(JsonNode rec, String id, String source, long line) throws Invalid {
        String prompt = nonBlank(rec, "prompt", RejectReason.EMPTY_FIELD);
        String domain = nonBlank(rec, "domain", RejectReason.EMPTY_FIELD);
        if (!RecordSchemas.RL_DOMAINS.contains(domain))
            throw new Invalid("domain", RejectReason.BAD_VALUE,
                    "unknown RL domain '" + domain + "', expected one of " + RecordSchemas.RL_DOMAINS);
        String answer = answer(rec);
        if (answer == null && RecordSchemas.RL_DOMAINS_WITH_ANSWER.contains(domain))
            throw new Invalid("answer", RejectReason.MISSING_FIELD, domain + " prompts need a reference answer");
        List<String> tests = tests(rec);
        if (tests.isEmpty() && RecordSchemas.RL_DOMAINS_WITH_TESTS.contains(domain))
            throw new Invalid("tests", present(rec, "tests") ? RejectReason.EMPTY_FIELD : RejectReason.MISSING_FIELD,
                    domain + " prompts need tests");
        Integer difficulty = difficulty(rec);
        checkLength(List.of(Message.user(prompt)));
        return RowFactory.create(id, source, line, domain, prompt, answer, seq(tests), difficulty);
    }

    // ---- fields ----

    private static boolean present(JsonNode rec, String field) {
        JsonNode v = rec.get(field);
        return v != null && !v.isNull();
    }

    /** The record's own id (string or integer), else file name and line: unique within a run's inputs. */
    private static String id(JsonNode rec, String source, long line) throws Invalid {
        JsonNode v = rec.get("id");
        if (v == null || v.isNull()) return source.substring(source.lastIndexOf('/') + 1) + ":" + line;
        if (v.isTextual() || v.isIntegralNumber()) return v.asText();
        throw new Invalid("id", RejectReason.WRONG_TYPE, "id must be a string or an integer");
    }

    private static String requiredString(JsonNode rec, String field) throws Invalid {
        JsonNode v = rec.get(field);
        if (v == null || v.isNull()) throw new Invalid(field, RejectReason.MISSING_FIELD, "\"" + field + "\" is missing");
        if (!v.isTextual()) throw new Invalid(field, RejectReason.WRONG_TYPE, "\"" + field + "\" must be a string, got " + typeName(v));
        return v.asText();
    }

    private static String nonBlank(JsonNode rec, String field, RejectReason ifBlank) throws Invalid {
        String s = requiredString(rec, field);
        if (s.isBlank()) throw new Invalid(field, ifBlank, "\"" + field + "\" is empty");
        return s;
    }

    private static String optionalString(JsonNode rec, String field, String fallback) throws Invalid {
        return present(rec, field) ? requiredString(rec, field) : fallback;
    }

    private static Integer difficulty(JsonNode rec) throws Invalid {
        JsonNode v = rec.get("difficulty");
        if (v == null || v.isNull()) return null;
        if (!v.isIntegralNumber() || !v.canConvertToInt())
            throw new Invalid("difficulty", RejectReason.WRONG_TYPE, "difficulty must be an integer, got " + typeName(v));
        if (v.intValue() < 0) throw new Invalid("difficulty", RejectReason.BAD_VALUE, "difficulty must be >= 0");
        return v.intValue();
    }

    /** A reference answer may be written as a JSON string or number; it is kept as text. */
    private static String answer(JsonNode rec) throws Invalid {
        JsonNode v = rec.get("answer");
        if (v == null || v.isNull()) return null;
        if (v.isTextual()) return v.asText().isBlank() ? null : v.asText();
        if (v.isNumber()) return v.asText();
        throw new Invalid("answer", RejectReason.WRONG_TYPE, "answer must be a string or a number, got " + typeName(v));
    }

    private static List<String> tests(JsonNode rec) throws Invalid {
        JsonNode v = rec.get("tests");
        List<String> tests = new ArrayList<>();
        if (v == null || v.isNull()) return tests;
        if (!v.isArray()) throw new Invalid("tests", RejectReason.WRONG_TYPE, "tests must be an array of strings");
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isTextual())
                throw new Invalid("tests[" + i + "]", RejectReason.WRONG_TYPE, "each test must be a string");
            if (!v.get(i).asText().isBlank()) tests.add(v.get(i).asText());
        }
        return tests;
    }

    private static List<Message> messages(JsonNode rec, String field) throws Invalid {
        JsonNode v = rec.get(field);
        if (v == null || v.isNull()) throw new Invalid(field, RejectReason.MISSING_FIELD, "\"" + field + "\" is missing");
        if (!v.isArray()) throw new Invalid(field, RejectReason.WRONG_TYPE, "\"" + field + "\" must be an array, got " + typeName(v));
        if (v.isEmpty()) throw new Invalid(field, RejectReason.EMPTY_FIELD, "\"" + field + "\" is empty");
        List<Message> messages = new ArrayList<>(v.size());
        for (int i = 0; i < v.size(); i++) {
            String at = field + "[" + i + "]";
            JsonNode m = v.get(i);
            if (!m.isObject()) throw new Invalid(at, RejectReason.WRONG_TYPE, at + " must be an object, got " + typeName(m));
            String role = requiredString(m, "role", at);
            if (!Message.ROLES.contains(role))
                throw new Invalid(at + ".role", RejectReason.UNKNOWN_ROLE, "unknown role '" + role + "', expected one of system, user, assistant, tool");
            String content = requiredString(m, "content", at);
            if (role.equals("assistant")) {
                if (content.isBlank()) throw new Invalid(at + ".content", RejectReason.EMPTY_ASSISTANT, "assistant turn " + i + " is empty");
                checkToolCalls(at + ".content", content);
            }
            messages.add(new Message(role, content));
        }
        return messages;
    }

    private static String requiredString(JsonNode obj, String field, String at) throws Invalid {
        JsonNode v = obj.get(field);
        String name = at + "." + field;
        if (v == null || v.isNull()) throw new Invalid(name, RejectReason.MISSING_FIELD, name + " is missing");
        if (!v.isTextual()) throw new Invalid(name, RejectReason.WRONG_TYPE, name + " must be a string, got " + typeName(v));
        return v.asText();
    }

    private static void checkToolCalls(String field, String content) throws Invalid {
        if (!content.contains(ToolCall.OPEN)) return;
        try {
            ToolCall.parseAll(content);
        } catch (IllegalArgumentException e) {
            throw new Invalid(field, RejectReason.BAD_TOOL_CALL, e.getMessage());
        }
    }

    private void checkLength(List<Message> messages) throws Invalid {
        if (counter == null || maxTokens <= 0) return;
        int n;
        try {
            n = counter.count(messages);
        } catch (RuntimeException e) {
            throw new Invalid(null, RejectReason.COUNT_FAILED, String.valueOf(e.getMessage()));
        }
        if (n > maxTokens) throw new Invalid(null, RejectReason.TOO_LONG, n + " tokens > max " + maxTokens);
    }

    private static List<Message> withReply(List<Message> prompt, String reply) {
        List<Message> all = new ArrayList<>(prompt);
        all.add(Message.assistant(reply));
        return all;
    }

    private static List<Row> messageRows(List<Message> messages) {
        List<Row> rows = new ArrayList<>(messages.size());
        for (Message m : messages) rows.add(RowFactory.create(m.role(), m.content()));
        return rows;
    }

    /** Rows built for createDataFrame must hold arrays as Scala sequences. */
    private static <T> scala.collection.Seq<T> seq(List<T> list) {
        return scala.collection.JavaConverters.asScalaBuffer(list);
    }

    private static String typeName(JsonNode v) {
        return v.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }
}
