package ai.posttrain.tokenizer;

import ai.posttrain.data.Message;

import java.util.Arrays;
import java.util.List;

/**
 * The layout of the byte and hf tokenizers:
 * <pre>BOS, then per message: ROLE, content ids, END_OF_TURN; with a generation prompt a final ASSISTANT.</pre>
 * Role and end-of-turn tokens come only from here, never from encoding text.
 */
final class BuiltinChatLayout implements ChatLayout {
    private static final long serialVersionUID = 1L;

    private final Tokenizer tokenizer;

    BuiltinChatLayout(Tokenizer tokenizer) { this.tokenizer = tokenizer; }

    @Override
    public RenderedChat render(List<Message> messages, boolean addGenerationPrompt) {
        IntList ids = new IntList(64);
        BoolList trained = new BoolList(64);
        ids.add(tokenizer.specialId(SpecialToken.BOS));
        trained.add(false, 1);
        for (int i = 0; i < messages.size(); i++) {
            Message m = messages.get(i);
            ChatLayout.check(m, i);
            SpecialToken role = roleToken(m.role());
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

    @Override public List<Integer> stopIds() { return List.of(tokenizer.specialId(SpecialToken.END_OF_TURN)); }

    /**
     * This layout as a Jinja chat template (for files other programs load, e.g. GGUF): rendered with messages and
     * add_generation_prompt, its text encodes, with the special tokens' literals recognised, to {@link #render}'s ids.
     * The tokens' texts are template text, written as they are (none holds a Jinja delimiter).
     */
    static String jinja() {
        StringBuilder t = new StringBuilder(SpecialToken.BOS.text()).append("{% for message in messages %}");
        String keyword = "if";
        for (String role : List.of("system", "user", "assistant", "tool")) {
            t.append("{% ").append(keyword).append(" message['role'] == '").append(role).append("' %}").append(roleToken(role).text());
            keyword = "elif";
        }
        t.append("{% else %}{{ raise_exception('unknown chat role ' + message['role']) }}{% endif %}")
                .append("{{ message['content'] }}").append(SpecialToken.END_OF_TURN.text()).append("{% endfor %}")
                .append("{% if add_generation_prompt %}").append(SpecialToken.ASSISTANT.text()).append("{% endif %}");
        return t.toString();
    }

    private static SpecialToken roleToken(String role) {
        return switch (role) {
            case "system" -> SpecialToken.SYSTEM;
            case "user" -> SpecialToken.USER;
            case "assistant" -> SpecialToken.ASSISTANT;
            default -> SpecialToken.TOOL;
        };
    }

    /** Growable boolean array for the trained mask. */
    static final class BoolList {
        private boolean[] values;
        private int size;

        BoolList(int capacity) { values = new boolean[Math.max(4, capacity)]; }

        void add(boolean value, int times) {
            if (size + times > values.length) values = Arrays.copyOf(values, Math.max(values.length * 2, size + times));
            Arrays.fill(values, size, size + times, value);
            size += times;
        }

        void set(int index, boolean value) { values[index] = value; }

        int size() { return size; }

        boolean[] toArray() { return Arrays.copyOf(values, size); }
    }
}
