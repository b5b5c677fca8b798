package ai.posttrain.data.builtin;

import java.util.List;
import java.util.Random;

/**
 * Random text around a question: sentences of common words before it, after it, or both. A small model that only
 * ever saw a problem alone learns where the numbers sit in each template, and text it has never seen around them
 * throws it off (of the teacher's misses on the reworded split, most wrote no trace at all or copied digits from
 * the wrong place; few took the wrong operator). Random words, drawn afresh for every record, teach it that the
 * problem is what matters and the text around it is not. The words are general English; none of them is a word the reworded
 * split's wordings use and no trained one does ({@code NoiseTextTest}), and none is a digit.
 */
public final class NoiseText {
    private NoiseText() {}

    static final List<String> WORDS = List.of((
            "the a an this that these those it they we he she I me your our their his her "
            + "is are be been am do does did have has had will can should may might "
            + "and or but because if when then than as after before since until though "
            + "in on at by for with from to of about into over under between through around near "
            + "not no yes very really just also still even only quite rather too much many more most some any every "
            + "week year today tomorrow yesterday night evening afternoon hour minute "
            + "school class teacher student friend mother father sister brother family house room table door window "
            + "book paper pen pencil desk chair bag phone computer game ball car bus train road city town park garden "
            + "water food bread milk tea coffee fruit dinner lunch breakfast kitchen "
            + "small long short new old young happy sad easy simple nice kind fine great little right wrong "
            + "go went come came see saw look looked think thought know knew want wanted need like liked make made "
            + "write wrote read tell asked ask answer try tried find found give gave use used work worked "
            + "play played learn learned study studied check start started finish finished feel felt keep kept "
            + "please thanks sorry hello hi okay well now here there again always never often sometimes maybe "
            + "question problem math number homework test exam lesson note idea reason way thing part").split(" "));
    private static final String[] ENDS = {".", "!", "?", ":", ",", " -"};

    /** {@code question} with random sentences before it (one or two), after it (one), or both. */
    public static String around(Random rnd, String question) {
        int where = rnd.nextInt(3);  // 0: before, 1: after, 2: both
        StringBuilder out = new StringBuilder();
        if (where != 1) for (int i = rnd.nextInt(2); i >= 0; i--) out.append(sentence(rnd)).append(' ');
        out.append(question);
        if (where != 0) out.append(' ').append(sentence(rnd));
        return out.toString();
    }

    /**
     * {@code parts} in their order with random words before, between and after them ("After lesson play 30 times
     * kitchen 17?"): up to six words first, up to two between parts, and sometimes up to five after.
     */
    public static String through(Random rnd, List<String> parts) {
        StringBuilder out = new StringBuilder();
        words(rnd, out, rnd.nextInt(7));
        for (int i = 0; i < parts.size(); i++) {
            if (i > 0) words(rnd, out, rnd.nextInt(3));
            out.append(parts.get(i)).append(' ');
        }
        if (rnd.nextBoolean()) words(rnd, out, 1 + rnd.nextInt(5));
        out.setLength(out.length() - 1);
        return capitalised(out.append(rnd.nextBoolean() ? '?' : '.'));
    }

    /** One to seven random words, the first capitalised, then a punctuation mark. */
    static String sentence(Random rnd) {
        StringBuilder s = new StringBuilder();
        words(rnd, s, 1 + rnd.nextInt(7));
        s.setLength(s.length() - 1);
        return capitalised(s.append(ENDS[rnd.nextInt(ENDS.length)]));
    }

    /** {@code n} random words, each followed by a space. */
    private static void words(Random rnd, StringBuilder out, int n) {
        for (int i = 0; i < n; i++) out.append(WORDS.get(rnd.nextInt(WORDS.size()))).append(' ');
    }

    private static String capitalised(CharSequence text) {
        return Character.toUpperCase(text.charAt(0)) + text.subSequence(1, text.length()).toString();
    }
}
