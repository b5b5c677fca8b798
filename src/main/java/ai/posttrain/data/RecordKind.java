package ai.posttrain.data;

/** What an input file holds, and so which fields are required and which schema its valid rows get. */
public enum RecordKind {
    /** Chat transcripts to imitate: {@code messages} with at least one assistant turn. */
    SFT,
    /** A prompt with a better ({@code chosen}) and a worse ({@code rejected}) response. */
    PREFERENCE,
    /** Prompts to sample from, with what a verifier needs ({@code answer}, {@code tests}). */
    RL
}
