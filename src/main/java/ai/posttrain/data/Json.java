package ai.posttrain.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Shared Jackson mappers (thread-safe once configured; one per JVM, so executors build their own). */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
    /** Rejects trailing text after the value, e.g. {@code {"a":1} garbage}. */
    static final ObjectMapper STRICT = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private Json() {}

    /** Jackson's message without the source excerpt and location block. */
    static String shortMessage(Exception e) {
        if (e instanceof JsonProcessingException j && j.getOriginalMessage() != null) {
            String m = j.getOriginalMessage();
            return m.length() > 200 ? m.substring(0, 200) + "..." : m;
        }
        return String.valueOf(e.getMessage());
    }
}
