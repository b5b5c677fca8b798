package ai.posttrain.data.builtin;

import ai.posttrain.data.BuiltinRecord;
import ai.posttrain.data.Facts;
import ai.posttrain.data.Message;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Templated everyday chat, domain "chat". Difficulty 1: one question and answer (capitals,
 * opposites, colours, animal sounds, days, greetings). 2: small everyday reasoning (what is left,
 * which day it will be, spelling numbers), half of them under a system prompt. 3: two user turns,
 * the second following up on the first, half under a system prompt.
 */
public final class Conversations implements Generator {
    static final List<String> SYSTEM_PROMPTS = List.of("You are a helpful assistant.",
            "You are a friendly assistant. Keep answers short.", "You are a polite assistant who answers in one sentence.");
    private static final String[] FRUITS = {"apple", "orange", "banana", "pear", "cookie", "candy", "egg", "lemon"};
    private static final String[] GREETINGS = {"Hi!", "Hello!", "Good morning!", "Hey there!", "Good evening!"};

    /** One user question with its answer and the key of the underlying question. */
    record Turn(String key, String question, String answer) {}

    @Override
    public BuiltinRecord draw(Random rnd, int difficulty) {
        List<Message> messages = new ArrayList<>();
        String key;
        if (difficulty == 1) {
            Turn t = fact(rnd);
            key = t.key();
            addTurn(messages, t);
        } else if (difficulty == 2) {
            Turn t = everyday(rnd);
            key = t.key();
            if (rnd.nextBoolean()) messages.add(new Message("system", Pick.one(rnd, SYSTEM_PROMPTS)));
            addTurn(messages, t);
        } else {
            Turn[] two = followUp(rnd);
            key = two[0].key() + "|chat:" + two[1].key();  // each turn in the split
            if (rnd.nextBoolean()) messages.add(new Message("system", Pick.one(rnd, SYSTEM_PROMPTS)));
            addTurn(messages, two[0]);
            addTurn(messages, two[1]);
        }
        String prompt = messages.stream().filter(m -> m.role().equals("user")).findFirst().orElseThrow().content();
        return new BuiltinRecord(null, "chat:" + key, "chat", difficulty, messages, prompt, null, null, null, null);
    }

    private static void addTurn(List<Message> messages, Turn t) {
        messages.add(Message.user(t.question()));
        messages.add(Message.assistant(t.answer()));
    }

    /** A difficulty-1 question; also the source of the preference and agent prompts. */
    static Turn fact(Random rnd) {
        switch (rnd.nextInt(6)) {
            case 0 -> {
                String c = pickKey(rnd, Facts.CAPITALS);
                return new Turn("capital:" + c, "What is the capital of " + c + "?", "The capital of " + c + " is " + Facts.CAPITALS.get(c) + ".");
            }
            case 1 -> {
                String w = pickKey(rnd, Facts.OPPOSITES);
                return new Turn("opposite:" + w, "What is the opposite of \"" + w + "\"?",
                        "The opposite of \"" + w + "\" is \"" + Facts.OPPOSITES.get(w) + "\".");
            }
            case 2 -> {
                String mix = pickKey(rnd, Facts.COLOR_MIXES);
                return new Turn("color:" + mix, "What color do you get when you mix " + mix + "?",
                        "Mixing " + mix + " gives " + Facts.COLOR_MIXES.get(mix) + ".");
            }
            case 3 -> {
                String a = pickKey(rnd, Facts.ANIMAL_SOUNDS);
                return new Turn("animal:" + a, "What sound does a " + a + " make?", "A " + a + " " + Facts.ANIMAL_SOUNDS.get(a) + ".");
            }
            case 4 -> {
                int d = rnd.nextInt(7);
                return new Turn("next-day:" + d, "What day comes after " + Facts.DAYS[d] + "?",
                        Facts.DAYS[(d + 1) % 7] + " comes after " + Facts.DAYS[d] + ".");
            }
            default -> {
                String g = Pick.one(rnd, GREETINGS);
                return new Turn("greet:" + g, g, "Hello! How can I help you today?");
            }
        }
    }

    private static Turn everyday(Random rnd) {
        switch (rnd.nextInt(3)) {
            case 0 -> {
                String f = Pick.one(rnd, FRUITS);
                int n = Pick.between(rnd, 3, 20), k = Pick.between(rnd, 1, n - 1);
                return new Turn("left:" + f + ":" + n + ":" + k, "I have " + n + " " + f + "s and eat " + k + ". How many are left?",
                        "You have " + (n - k) + " " + plural(f, n - k) + " left.");
            }
            case 1 -> {
                int d = rnd.nextInt(7), k = Pick.between(rnd, 2, 20);
                return new Turn("day-in:" + d + ":" + k, "If today is " + Facts.DAYS[d] + ", what day will it be in " + k + " days?",
                        "In " + k + " days it will be " + Facts.DAYS[(d + k) % 7] + ".");
            }
            default -> {
                int n = Pick.between(rnd, 0, 20);
                return new Turn("spell:" + n, "How do you spell the number " + n + "?",
                        n + " is spelled \"" + Pick.NUMBER_WORDS[n] + "\".");
            }
        }
    }

    private static Turn[] followUp(Random rnd) {
        switch (rnd.nextInt(3)) {
            case 0 -> {
                String c1 = pickKey(rnd, Facts.CAPITALS), c2 = pickKey(rnd, Facts.CAPITALS);
                return new Turn[]{new Turn("capital:" + c1, "What is the capital of " + c1 + "?", "The capital of " + c1 + " is " + Facts.CAPITALS.get(c1) + "."),
                        new Turn("capital:" + c2, "And what about " + c2 + "?", "The capital of " + c2 + " is " + Facts.CAPITALS.get(c2) + ".")};
            }
            case 1 -> {
                String f = Pick.one(rnd, FRUITS);
                int n = Pick.between(rnd, 3, 20), k = Pick.between(rnd, 1, n - 1), m = Pick.between(rnd, 1, 10);
                return new Turn[]{new Turn("left:" + f + ":" + n + ":" + k, "I have " + n + " " + f + "s and eat " + k + ". How many are left?",
                        "You have " + (n - k) + " " + plural(f, n - k) + " left."),
                        new Turn("buy:" + m, "And if I buy " + m + " more?", "Then you will have " + (n - k + m) + " " + plural(f, n - k + m) + ".")};
            }
            default -> {
                int d = rnd.nextInt(7);
                return new Turn[]{new Turn("next-day:" + d, "What day comes after " + Facts.DAYS[d] + "?", Facts.DAYS[(d + 1) % 7] + " comes after " + Facts.DAYS[d] + "."),
                        new Turn("after-that", "And the day after that?", "The day after that is " + Facts.DAYS[(d + 2) % 7] + ".")};
            }
        }
    }

    private static String plural(String noun, int n) { return n == 1 ? noun : noun + "s"; }

    static String pickKey(Random rnd, Map<String, String> table) {
        return new ArrayList<>(table.keySet()).get(rnd.nextInt(table.size()));
    }
}
