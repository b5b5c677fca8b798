package ai.posttrain.reward;

/** Helpers shared by verifiers for reading a completion. */
final class Completions {
    private static final java.util.regex.Pattern ANSWER_PHRASE = java.util.regex.Pattern.compile("(?i)answer\\s*(?:is|:|=)\\s*");

    private Completions() {}

    /** Where the text after the last "answer is" / "answer:" / "answer =" starts, or -1 when there is none. */
    static int afterLastAnswerPhrase(String text) {
        java.util.regex.Matcher phrase = ANSWER_PHRASE.matcher(text);
        int after = -1;
        while (phrase.find()) after = phrase.end();
        return after;
    }

    /** The answer part: the text after the last "&lt;/think&gt;", or all of it when there is none. */
    static String answerPart(String completion) {
        int end = completion.lastIndexOf("</think>");
        return end < 0 ? completion : completion.substring(end + "</think>".length());
    }

    /** Content of the last \boxed{...} (balanced braces), or null. */
    static String lastBoxed(String text) {
        int at = text.lastIndexOf("\\boxed{");
        if (at < 0) return null;
        int start = at + "\\boxed{".length(), depth = 1;
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '{') depth++;
            else if (c == '}' && --depth == 0) return text.substring(start, i);
        }
        return null;
    }

    static String clip(String s, int max) { return s.length() <= max ? s : s.substring(0, max) + "…"; }
}
