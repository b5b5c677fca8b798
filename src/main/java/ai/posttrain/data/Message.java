package ai.posttrain.data;

import java.io.Serializable;
import java.util.Set;

/** One chat turn. Roles: system, user, assistant, tool. */
public record Message(String role, String content) implements Serializable {
    public static final Set<String> ROLES = Set.of("system", "user", "assistant", "tool");

    public static Message user(String content) { return new Message("user", content); }
    public static Message assistant(String content) { return new Message("assistant", content); }
}
