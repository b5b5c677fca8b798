package ai.posttrain.reward;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Finds the code in a completion: the last ```python block, else the last fenced block, else the bare answer. */
final class CodeExtractor {
    private static final Pattern FENCE = Pattern.compile("```([A-Za-z0-9_+-]*)[^\\n]*\\n(.*?)```", Pattern.DOTALL);

    private CodeExtractor() {}

    static String extract(String completion) {
        String answer = Completions.answerPart(completion);
        String lastPython = null, lastAny = null;
        Matcher m = FENCE.matcher(answer);
        while (m.find()) {
            String lang = m.group(1).toLowerCase();
            lastAny = m.group(2);
            if (lang.equals("python") || lang.equals("py") || lang.equals("python3")) lastPython = m.group(2);
        }
        String code = lastPython != null ? lastPython : lastAny != null ? lastAny : answer;
        return code.strip().isEmpty() ? null : code;
    }
}
