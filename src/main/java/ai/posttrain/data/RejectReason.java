package ai.posttrain.data;

/** Why a record was rejected. {@link #code()} is the stable string stored in the {@code reason} column. */
public enum RejectReason {
    /** The line is not one complete JSON object (truncated, not JSON, trailing text, an array...). */
    BAD_JSON,
    /** A required field is absent or null. */
    MISSING_FIELD,
    /** A field has the wrong JSON type (e.g. difficulty "2", messages as a string). */
    WRONG_TYPE,
    /** A required string or list is empty. */
    EMPTY_FIELD,
    /** A message role outside system/user/assistant/tool. */
    UNKNOWN_ROLE,
    /** An assistant turn (or chosen/rejected response) with blank content. */
    EMPTY_ASSISTANT,
    /** SFT messages without any assistant turn: nothing to train on. */
    NO_ASSISTANT,
    /** A value of the right type that makes no sense (unknown RL domain, negative difficulty, chosen == rejected...). */
    BAD_VALUE,
    /** An assistant turn whose {@code <tool_call>} block is unclosed or not a JSON object with a name. */
    BAD_TOOL_CALL,
    /** Longer than maxTokens according to the TokenCounter. */
    TOO_LONG,
    /** The TokenCounter itself failed on this record. */
    COUNT_FAILED;

    public String code() { return name().toLowerCase(java.util.Locale.ROOT); }
}
