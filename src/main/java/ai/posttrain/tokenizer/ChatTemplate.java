package ai.posttrain.tokenizer;

import ai.posttrain.data.Message;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;

/**
 * A tokenizer's chat template: messages (system/user/assistant/tool) to ids plus the trained mask.
 * The tokenizer chooses the layout ({@link Tokenizer#chatLayout()}): the built-in one
 * (BOS, ROLE, content, END_OF_TURN) for byte/hf tokenizers, the folder's Jinja template for a model folder.
 */
public final class ChatTemplate implements Serializable {
    private static final long serialVersionUID = 2L;

    private final Tokenizer tokenizer;
    private final ChatLayout layout;

    /** The template of a tokenizer (same as {@link #of}). */
    public ChatTemplate(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
        this.layout = tokenizer.chatLayout();
    }

    public static ChatTemplate of(Tokenizer tokenizer) { return new ChatTemplate(tokenizer); }

    public Tokenizer tokenizer() { return tokenizer; }

    public RenderedChat render(List<Message> messages, boolean addGenerationPrompt) {
        return layout.render(messages, addGenerationPrompt);
    }

    /** Token count of the full render (no generation prompt), e.g. for length filters and packing. */
    public int count(List<Message> messages) {
        return render(messages, false).length();
    }

    /** Ids that end a sampled completion; the first is the end-of-turn marker. */
    public List<Integer> stopIds() { return layout.stopIds(); }

    /** Decodes sampled ids up to (not including) the first stop id. */
    public String decodeCompletion(int[] ids) {
        List<Integer> stops = stopIds();
        int stop = 0;
        while (stop < ids.length && !stops.contains(ids[stop])) stop++;
        return tokenizer.decode(Arrays.copyOf(ids, stop));
    }
}
