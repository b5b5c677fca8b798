package ai.posttrain.data.builtin;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The ways one kind of problem is asked: {@code trained} templates word the train and held-out splits,
 * {@code reworded} ones only the reworded split, so a model that scores there learned the skill rather than
 * the sentences it was shown. A template holds {@code {name}} slots, filled by {@link #fill}.
 */
public record Wordings(List<String> trained, List<String> reworded) {
    public Wordings {
        trained = List.copyOf(trained);
        reworded = List.copyOf(reworded);
        if (trained.isEmpty() || reworded.isEmpty()) throw new IllegalArgumentException("wordings need both sets");
        Set<String> shared = new HashSet<>(trained);
        shared.retainAll(reworded);
        if (!shared.isEmpty()) throw new IllegalArgumentException("wordings both trained and reworded: " + shared);
    }

    /** The templates of one side. */
    public List<String> of(boolean rewordedSplit) { return rewordedSplit ? reworded : trained; }

    public String pick(Random rnd, boolean rewordedSplit) { return Pick.one(rnd, of(rewordedSplit)); }

    /** The template to ask in: FEW always the first trained one (drawing nothing from {@code rnd}), else a pick. */
    public String template(Random rnd, Wording wording) {
        return wording == Wording.FEW ? trained.get(0) : pick(rnd, wording == Wording.REWORDED);
    }

    /** A question in the wording's template, its slots filled, framed as the wording frames. */
    public String ask(Random rnd, Wording wording, Map<String, String> slots) {
        return frame(rnd, fill(template(rnd, wording), slots), wording);
    }

    /** A {@code {name}} slot; compiled once, as every generated record is checked for one left unfilled. */
    private static final Pattern SLOT = Pattern.compile("\\{[a-z0-9]+}");

    /** {@code template} with each {@code {name}} replaced by {@code slots.get(name)}. */
    public static String fill(String template, Map<String, String> slots) {
        String out = template;
        for (Map.Entry<String, String> s : slots.entrySet()) out = out.replace("{" + s.getKey() + "}", s.getValue());
        if (SLOT.matcher(out).find()) throw new IllegalArgumentException("unfilled slot in '" + template + "'");
        return out;
    }

    /**
     * Every filling of the templates' {@code {slot}}s with the parts named by the slots: a filling of a trained
     * template with trained parts only is trained; one that uses a reworded template or part is reworded (it asks
     * in a way no training sentence does).
     */
    public static Wordings combine(Wordings templates, Map<String, Wordings> parts) {
        List<String> trained = new ArrayList<>(), reworded = new ArrayList<>();
        for (boolean rewordedTemplate : new boolean[]{false, true})
            for (String template : templates.of(rewordedTemplate))
                // Sorted slots: the same order of templates on every JVM (Map.of iterates in a per-JVM order).
                fillAll(template, rewordedTemplate, new ArrayList<>(new java.util.TreeMap<>(parts).entrySet()), 0, trained, reworded);
        return new Wordings(trained, reworded);
    }

    private static void fillAll(String text, boolean isReworded, List<Map.Entry<String, Wordings>> parts, int next,
                                List<String> trained, List<String> reworded) {
        if (next == parts.size()) {
            (isReworded ? reworded : trained).add(text);
            return;
        }
        String slot = "{" + parts.get(next).getKey() + "}";
        if (!text.contains(slot)) {
            fillAll(text, isReworded, parts, next + 1, trained, reworded);
            return;
        }
        for (boolean rewordedPart : new boolean[]{false, true})
            for (String part : parts.get(next).getValue().of(rewordedPart))
                fillAll(text.replace(slot, part), isReworded || rewordedPart, parts, next + 1, trained, reworded);
    }

    // ---- frames: text around a question that does not change it ----

    /** Share of prompts that get an opening and a closing remark around the question. */
    static final double FRAMED = 0.3;
    static final Wordings OPENINGS = new Wordings(
            List.of("Please answer this. ", "Question: ", "Hi! ", "Quick question: ", "I need help with this. ",
                    "Can you help me? ", "Here is a problem. ", "Try this one: ", "Homework: ", "Hello. ", "One more: ",
                    "Problem: ", "Help, please. ", "Solve this for me. "),
            List.of("Hey, quick one. ", "Good morning! ", "Could you help? ", "Puzzle for you: ", "Task: "));
    static final Wordings CLOSINGS = new Wordings(
            List.of("", " Thanks!", " Show your steps.", " Please be careful.", " Thank you.", " Keep it short.",
                    " I am stuck.", " Check your work."),
            List.of(" Cheers.", " Take your time.", " Be precise."));

    /** {@code question}, under MANY and REWORDED sometimes with an opening and a closing remark of that kind. */
    public static String frame(Random rnd, String question, Wording wording) {
        if (wording == Wording.FEW || !Pick.chance(rnd, FRAMED)) return question;
        boolean reworded = wording == Wording.REWORDED;
        return OPENINGS.pick(rnd, reworded) + question + CLOSINGS.pick(rnd, reworded);
    }

    /** The question inside a prompt framed for the split (a bare question is returned as it is). */
    public static String unframe(String prompt, boolean rewordedSplit) {
        for (String opening : OPENINGS.of(rewordedSplit))
            if (prompt.startsWith(opening))
                for (String closing : longestFirst(CLOSINGS.of(rewordedSplit)))
                    if (prompt.endsWith(closing) && prompt.length() >= opening.length() + closing.length())
                        return prompt.substring(opening.length(), prompt.length() - closing.length());
        return prompt;
    }

    private static List<String> longestFirst(List<String> texts) {
        return texts.stream().sorted(java.util.Comparator.comparingInt(String::length).reversed()).toList();
    }
}
