package ai.posttrain.data;

import java.io.Serializable;
import java.util.List;

/**
 * How long a conversation is, in the unit {@code maxTokens} is given in. The CLI passes the chat
 * template's token count; it runs on executors, so it must be serializable.
 */
@FunctionalInterface
public interface TokenCounter extends Serializable {
    int count(List<Message> messages);
}
