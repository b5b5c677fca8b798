package ai.posttrain.tokenizer;

import ai.posttrain.data.Message;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A model folder's Jinja chat template as a {@link ChatLayout}.
 *
 * <p>Trained mask: assistant message i is trained on the text it adds to the conversation, i.e. from the end of
 * render(messages[0..i), add_generation_prompt=True) (so the generation-prompt header is not trained) to the end
 * of render(messages[0..i]), up to and including its end-of-turn marker (the separator after it, such as
 * ChatML's newline, is never sampled, so it is not trained). Each boundary is the common prefix with the full
 * render, so a template that rewrites earlier turns trains only what it keeps.
 *
 * <p>Special tokens: the rendered text is encoded with added tokens recognised (the template's &lt;|im_start|&gt;
 * become their ids), but message content must not inject them. Before rendering, every special added token
 * inside content is replaced by a private-use placeholder character that no content or template contains;
 * after rendering, text is encoded with specials recognised and each placeholder as its literal's plain-text
 * pieces. Placeholders (rather than rendering each content separately) keep template filters such as
 * {@code | trim} and {@code .strip()} working on the real content, since they are not whitespace.
 */
final class JinjaChatLayout implements ChatLayout {
    private static final long serialVersionUID = 1L;
    private static final int FIRST_PLACEHOLDER = 0xF0000; // supplementary private use area A

    private final ModelFolderTokenizer tokenizer;
    private final JinjaTemplate template;

    JinjaChatLayout(ModelFolderTokenizer tokenizer, JinjaTemplate template) {
        this.tokenizer = tokenizer;
        this.template = template;
    }

    JinjaTemplate template() { return template; }

    @Override public List<Integer> stopIds() { return tokenizer.stopIds(); }

    @Override
    public RenderedChat render(List<Message> messages, boolean addGenerationPrompt) {
        for (int i = 0; i < messages.size(); i++) ChatLayout.check(messages.get(i), i);
        Placeholders placeholders = new Placeholders(tokenizer.guardedLiterals(), messages, template.template());
        List<Map<String, String>> escaped = new ArrayList<>();
        for (Message m : messages) escaped.add(Map.of("role", m.role(), "content", placeholders.escape(m.content())));
        String full = template.render(escaped, addGenerationPrompt);

        List<int[]> trainedChars = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            if (!messages.get(i).role().equals("assistant")) continue;
            int start = commonPrefix(template.render(escaped.subList(0, i), true), full);
            String through = i == messages.size() - 1 && !addGenerationPrompt ? full : template.render(escaped.subList(0, i + 1), false);
            int end = commonPrefix(through, full);
            if (end > start) trainedChars.add(new int[] {start, end});
        }

        TreeSet<Integer> cuts = new TreeSet<>(List.of(0, full.length()));
        for (int[] r : trainedChars) { cuts.add(r[0]); cuts.add(r[1]); }
        IntList ids = new IntList(full.length() / 3 + 8);
        BuiltinChatLayout.BoolList trained = new BuiltinChatLayout.BoolList(full.length() / 3 + 8);
        List<int[]> trainedTokens = new ArrayList<>();
        Integer from = cuts.first();
        for (Integer to : cuts.tailSet(from, false)) {
            int[] range = rangeAt(trainedChars, from);
            int before = ids.size();
            encodeRendered(full.substring(from, to), placeholders, ids);
            trained.add(range != null, ids.size() - before);
            if (range != null) trainedTokens.add(new int[] {before, ids.size()});
            from = to;
        }
        int[] out = ids.toArray();
        for (int[] span : trainedTokens) untrainAfterEndOfTurn(out, span, trained);
        return new RenderedChat(out, trained.toArray());
    }

    /** Within one assistant turn's tokens, stop training after its last stop id (drops e.g. ChatML's "\n"). */
    private void untrainAfterEndOfTurn(int[] ids, int[] span, BuiltinChatLayout.BoolList trained) {
        int last = -1;
        for (int j = span[0]; j < span[1]; j++) if (stopIds().contains(ids[j])) last = j;
        if (last >= 0) for (int j = last + 1; j < span[1]; j++) trained.set(j, false);
    }

    private static int[] rangeAt(List<int[]> ranges, int charIndex) {
        for (int[] r : ranges) if (charIndex >= r[0] && charIndex < r[1]) return r;
        return null;
    }

    /** Rendered text to ids: template text with added tokens recognised, placeholders as plain text. */
    private void encodeRendered(String text, Placeholders placeholders, IntList out) {
        StringBuilder run = new StringBuilder();
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            String literal = placeholders.literalOf(cp);
            if (literal == null) {
                run.appendCodePoint(cp);
            } else {
                out.addAll(tokenizer.encodeTemplateText(run.toString()));
                run.setLength(0);
                out.addAll(tokenizer.encode(literal));
            }
            i += Character.charCount(cp);
        }
        out.addAll(tokenizer.encodeTemplateText(run.toString()));
    }

    static int commonPrefix(String a, String b) {
        int n = Math.min(a.length(), b.length()), i = 0;
        while (i < n && a.charAt(i) == b.charAt(i)) i++;
        return i;
    }

    /** The token that closes an assistant turn in this template (-1 when the template shows none). */
    static int probeEndOfTurn(ModelFolderTokenizer tokenizer) {
        try {
            JinjaTemplate t = new JinjaTemplate("probe", tokenizer.chatTemplateText(), tokenizer.templateTokens());
            List<Map<String, String>> chat = List.of(Map.of("role", "user", "content", "Hi"), Map.of("role", "assistant", "content", "Hello"));
            String before = t.render(chat.subList(0, 1), true);
            String through = t.render(chat, false);
            for (int id : tokenizer.encodeTemplateText(through.substring(commonPrefix(before, through)))) {
                if (tokenizer.isSpecialAdded(id)) return id;
            }
        } catch (RuntimeException e) {
            // a template that cannot render this simple chat fails later with a clear message; eos stands in
        }
        return -1;
    }

    /** Private-use code points standing for special literals inside message content. */
    private static final class Placeholders {
        private final List<String> literals;
        private final int[] codePoints;

        Placeholders(List<String> literals, List<Message> messages, String templateText) {
            this.literals = literals;
            this.codePoints = new int[literals.size()];
            java.util.Set<Integer> taken = new java.util.HashSet<>();
            for (Message m : messages) m.content().codePoints().filter(cp -> cp >= FIRST_PLACEHOLDER).forEach(taken::add);
            templateText.codePoints().filter(cp -> cp >= FIRST_PLACEHOLDER).forEach(taken::add);
            int next = FIRST_PLACEHOLDER;
            for (int k = 0; k < codePoints.length; k++) {
                while (taken.contains(next)) next++;
                codePoints[k] = next++;
            }
        }

        String escape(String content) {
            if (literals.isEmpty()) return content;
            StringBuilder out = new StringBuilder(content.length());
            outer:
            for (int i = 0; i < content.length(); ) {
                for (int k = 0; k < literals.size(); k++) {
                    if (content.startsWith(literals.get(k), i)) {
                        out.appendCodePoint(codePoints[k]);
                        i += literals.get(k).length();
                        continue outer;
                    }
                }
                out.append(content.charAt(i++));
            }
            return out.toString();
        }

        String literalOf(int cp) {
            if (cp < FIRST_PLACEHOLDER) return null;
            for (int k = 0; k < codePoints.length; k++) if (codePoints[k] == cp) return literals.get(k);
            return null;
        }
    }
}
