package ai.posttrain.tokenizer;

import ai.posttrain.data.Message;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;

/**
 * The one chat layout used with every tokenizer:
 * <pre>BOS, then per message: ROLE, content ids, END_OF_TURN; with a generation prompt a final ASSISTANT.</pre>
 * Role and end-of-turn tokens come only from here, never from encoding text.
 */
public final class ChatTemplate implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Tokenizer tokenizer;

    public ChatTemplate(Tokenizer tokenizer) { this.tokenizer = tokenizer; }

    public Tokenizer tokenizer() { return tokenizer; }

    public RenderedChat render(List<Message> messages, boolean addGenerationPrompt) {
        IntList ids = new IntList(64);
        BoolList trained = new BoolList(64);
        ids.add(tokenizer.specialId(SpecialToken.BOS));
        trained.add(false, 1);
        for (int i = 0; i < messages.size(); i++) {
            Message m = messages.get(i);
            SpecialToken role = roleToken(m, i);
            boolean isAssistant = role == SpecialToken.ASSISTANT;
            int[] content = tokenizer.encode(m.content());
            ids.add(tokenizer.specialId(role));
            trained.add(false, 1);
            ids.addAll(content);
            trained.add(isAssistant, content.length);
            ids.add(tokenizer.specialId(SpecialToken.END_OF_TURN));
            trained.add(isAssistant, 1);
        }
        if (addGenerationPrompt) {
            ids.add(tokenizer.specialId(SpecialToken.ASSISTANT));
            trained.add(false, 1);
        }
        return new RenderedChat(ids.toArray(), trained.toArray());
    }

    /** Token count of the full render (no generation prompt), e.g. for length filters and packing. */
    public int count(List<Message> messages) {
        return render(messages, false).length();
    }

    /** Decodes sampled ids up to (not including) the first END_OF_TURN. */
    public String decodeCompletion(int[] ids) {
        int end = tokenizer.specialId(SpecialToken.END_OF_TURN);
        int stop = 0;
        while (stop < ids.length && ids[stop] != end) stop++;
        return tokenizer.decode(Arrays.copyOf(ids, stop));
    }

    private static SpecialToken roleToken(Message m, int index) {
        if (m == null) throw new IllegalArgumentException("message " + index + " is null");
        if (m.content() == null) throw new IllegalArgumentException("message " + index + " (" + m.role() + ") has no content");
        String role = m.role() == null ? "null" : m.role();
        return switch (role) {
            case "system" -> SpecialToken.SYSTEM;
            case "user" -> SpecialToken.USER;
            case "assistant" -> SpecialToken.ASSISTANT;
            case "tool" -> SpecialToken.TOOL;
            default -> throw new IllegalArgumentException("unknown chat role '" + role + "' in message " + index
                    + " (expected one of system, user, assistant, tool)");
        };
    }

    /** Growable boolean array for the trained mask. */
    private static final class BoolList {
        private boolean[] values;
        private int size;

        BoolList(int capacity) { values = new boolean[capacity]; }

        void add(boolean value, int times) {
            if (size + times > values.length) values = Arrays.copyOf(values, Math.max(values.length * 2, size + times));
            Arrays.fill(values, size, size + times, value);
            size += times;
        }

        boolean[] toArray() { return Arrays.copyOf(values, size); }
    }
}
