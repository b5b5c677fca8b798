package ai.posttrain.data.builtin;

import ai.posttrain.data.BuiltinRecord;
import ai.posttrain.data.Message;

import java.util.List;
import java.util.Random;

/**
 * (prompt, chosen, rejected) triples. The prompt and the chosen response come from the math,
 * reasoning and conversation generators at the same difficulty (so a prompt keeps the key, and
 * therefore the split, it has in its own suite); the rejected response is one of: the same
 * reasoning with a wrong final answer, a rude refusal, or a badly formatted reply (unclosed think,
 * shouting, rambling without an answer).
 */
public final class PreferencePairs implements Generator {
    private static final MathProblems MATH = new MathProblems();
    private static final ReasoningTasks REASONING = new ReasoningTasks();
    private static final String[] RUDE = {"Figure it out yourself.", "That is a silly question. Look it up.",
            "Why would I waste my time on that?", "Ugh, not this again. No."};

    @Override
    public BuiltinRecord draw(Random rnd, int difficulty) {
        BuiltinRecord base;
        switch (rnd.nextInt(3)) {
            case 0 -> base = MATH.draw(rnd, difficulty);
            case 1 -> base = REASONING.draw(rnd, difficulty);
            default -> {
                Conversations.Turn t = Conversations.fact(rnd);
                base = BuiltinRecord.qa("chat:" + t.key(), "chat", difficulty, t.question(), t.answer(), null, List.of());
            }
        }
        String chosen = base.messages().get(1).content();
        String rejected = switch (rnd.nextInt(3)) {
            case 0 -> base.answer() != null ? wrongAnswer(rnd, chosen, base.answer()) : "I don't know.";
            case 1 -> Pick.one(rnd, RUDE);
            default -> badlyFormatted(rnd, chosen, base.answer());
        };
        return new BuiltinRecord(null, base.key(), base.domain(), difficulty,
                List.of(Message.user(base.prompt()), Message.assistant(chosen)), base.prompt(), base.answer(), null, chosen, rejected);
    }

    /** The chosen reasoning with a different final answer. */
    private static String wrongAnswer(Random rnd, String chosen, String answer) {
        String wrong;
        if (answer.equals("odd") || answer.equals("even")) wrong = answer.equals("odd") ? "even" : "odd";
        else if (answer.matches("-?\\d+")) {
            long right = Long.parseLong(answer), delta = Pick.one(rnd, -10, -2, -1, 1, 2, 10);
            wrong = Long.toString(right >= 0 && right + delta < 0 ? right - delta : right + delta);  // no negative counts
        }
        else {  // a sorted list: give it largest first
            List<String> items = new java.util.ArrayList<>(List.of(answer.split(", ")));
            java.util.Collections.reverse(items);
            wrong = String.join(", ", items);
        }
        int end = chosen.lastIndexOf("</think>");
        return end < 0 ? wrong : chosen.substring(0, end + "</think>".length()) + wrong;
    }

    private static String badlyFormatted(Random rnd, String chosen, String answer) {
        int end = chosen.indexOf("</think>");
        if (end >= 0 && rnd.nextBoolean())  // the think block never closed
            return chosen.substring(0, end) + " " + chosen.substring(end + "</think>".length());
        if (answer == null || rnd.nextBoolean()) return chosen.replace("<think>", "").replace("</think>", " ").toUpperCase() + "!!!";
        return "hmm well that depends on a lot of things really, numbers can be tricky and i would not want to say for sure";
    }
}
