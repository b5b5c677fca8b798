package ai.posttrain.tokenizer;

/** Special tokens every tokenizer provides; {@link #text()} is their literal form in rendered chats. */
public enum SpecialToken {
    PAD("<pad>"), BOS("<bos>"),
    SYSTEM("<|system|>"), USER("<|user|>"), ASSISTANT("<|assistant|>"), TOOL("<|tool|>"),
    END_OF_TURN("<|end|>"), THINK("<think>"), END_THINK("</think>");

    private final String text;

    SpecialToken(String text) { this.text = text; }

    public String text() { return text; }
}
