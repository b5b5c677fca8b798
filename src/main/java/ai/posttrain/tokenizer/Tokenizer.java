package ai.posttrain.tokenizer;

import java.io.Serializable;

/**
 * Text to token ids and back. Implementations are serializable so Spark can ship them to executors.
 * Special tokens (chat roles, think markers, end of turn, padding) have fixed ids inside the vocabulary.
 */
public interface Tokenizer extends Serializable {
    /** Name as written in model.json: "byte", "hf", or "hf-model" (a model folder, see {@link Tokenizers}). */
    String kind();

    int vocabSize();

    /** Text to ids. The literal markers "<think>" and "</think>" map to their special ids; role and
     *  end-of-turn tokens are only inserted by the chat template, never produced from ordinary text. */
    int[] encode(String text);

    /** Ids to text; special tokens are rendered as their literal text (e.g. "<think>"). */
    String decode(int[] ids);

    /** The id of a special token; an error when the tokenizer has none (see {@link #has}). */
    int specialId(SpecialToken token);

    /** Whether {@link #specialId} has an id for this token (a model folder may lack a BOS, role or think tokens). */
    default boolean has(SpecialToken token) { return true; }

    /** How chats are laid out with this tokenizer; the built-in layout unless the tokenizer brings a template. */
    default ChatLayout chatLayout() { return new BuiltinChatLayout(this); }
}
