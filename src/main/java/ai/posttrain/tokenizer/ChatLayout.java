package ai.posttrain.tokenizer;

import ai.posttrain.data.Message;

import java.io.Serializable;
import java.util.List;

/** How a tokenizer lays a chat out as ids; {@link ChatTemplate} is the API callers use. */
public interface ChatLayout extends Serializable {
    /** The chat as ids, with the trained mask (assistant content and each assistant turn's end marker). */
    RenderedChat render(List<Message> messages, boolean addGenerationPrompt);

    /** Ids that end a sampled completion (the end-of-turn marker first). */
    List<Integer> stopIds();

    /** Checks a message the way every layout does, so both reject the same inputs. */
    static void check(Message m, int index) {
        if (m == null) throw new IllegalArgumentException("message " + index + " is null");
        if (m.content() == null) throw new IllegalArgumentException("message " + index + " (" + m.role() + ") has no content");
        if (m.role() == null || !Message.ROLES.contains(m.role())) {
            throw new IllegalArgumentException("unknown chat role '" + m.role() + "' in message " + index
                    + " (expected one of system, user, assistant, tool)");
        }
    }
}
