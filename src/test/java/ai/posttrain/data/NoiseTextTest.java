package ai.posttrain.data;

import ai.posttrain.config.ConfigError;
import ai.posttrain.config.PosttrainConfig;
import ai.posttrain.data.builtin.NoiseText;
import ai.posttrain.data.builtin.Wording;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** Random sentences around built-in train prompts: only train records, only the prompt, none of the reworded split's words. */
class NoiseTextTest {
    private static final List<BuiltinSuite> WORDED = List.of(BuiltinSuite.MATH, BuiltinSuite.STEM, BuiltinSuite.CODE);

    @Test
    void noiseWordsAreNoneOfTheWordsOnlyTheRewordedSplitUses() {
        // Every word of the reworded prompts that no trained prompt (few or many wordings) uses.
        Set<String> trained = new HashSet<>(), rewordedOnly = new HashSet<>();
        for (Wording wording : new Wording[]{Wording.FEW, Wording.MANY}) {
            BuiltinData data = new BuiltinData(42, 4000, 10, wording);
            for (BuiltinSuite suite : WORDED) data.generate(suite, Split.TRAIN).forEach(r -> trained.addAll(words(r.prompt())));
        }
        BuiltinData data = new BuiltinData(42, 10, 4000);
        for (BuiltinSuite suite : WORDED)
            data.generate(suite, Split.REWORDED).forEach(r -> rewordedOnly.addAll(words(r.prompt())));
        rewordedOnly.removeAll(trained);
        assertTrue(rewordedOnly.containsAll(Set.of("reduced", "cheers", "grandpa", "wonder")), "the sample holds the reworded split's words: " + rewordedOnly);
        Random rnd = new Random(1);
        Set<String> noise = new HashSet<>();
        for (int i = 0; i < 20_000; i++) {
            String text = NoiseText.around(rnd, "");
            assertFalse(text.matches("(?s).*\\d.*"), text);  // no number to mistake for an operand
            noise.addAll(words(text));
        }
        Set<String> shared = new HashSet<>(noise);
        shared.retainAll(rewordedOnly);
        assertEquals(Set.of(), shared, "noise words the reworded split uses and training does not");
    }

    @Test
    void noiseWrapsTheShareOfTrainPromptsAndChangesNothingElse() {
        BuiltinData plain = new BuiltinData(7, 600, 120, Wording.FEW);
        BuiltinData noisy = new BuiltinData(7, 600, 120, Wording.FEW, 0.5);
        for (BuiltinSuite suite : BuiltinSuite.values()) {
            for (Split split : Split.values()) {
                if (split == Split.REWORDED && !suite.reworded()) continue;
                List<BuiltinRecord> a = plain.generate(suite, split), b = noisy.generate(suite, split);
                assertEquals(a.size(), b.size());
                int wrapped = 0;
                for (int i = 0; i < a.size(); i++) {
                    BuiltinRecord x = a.get(i), y = b.get(i);
                    if (x.prompt() == null || x.prompt().equals(y.prompt())) {
                        assertEquals(x.toJson(), y.toJson());
                        continue;
                    }
                    // The same problem, reference reply, answer and tests: only the prompt, and the user turn asking it.
                    wrapped++;
                    assertTrue(y.prompt().contains(x.prompt()) && y.prompt().length() > x.prompt().length() + 1, y.prompt());
                    assertEquals(x.withPrompt(y.prompt()).toJson(), y.toJson());
                    assertEquals(y.prompt(), y.messages().get(0).content());
                }
                String where = suite.id() + " " + split.id();
                if (split == Split.TRAIN && suite.reworded()) assertTrue(wrapped > 0.4 * a.size() && wrapped < 0.6 * a.size(), where + ": " + wrapped);
                else assertEquals(0, wrapped, where);
            }
        }
        assertEquals(json(plain.generate(BuiltinSuite.MATH, Split.TRAIN)),
                json(new BuiltinData(7, 600, 120, Wording.FEW, 0).generate(BuiltinSuite.MATH, Split.TRAIN)), "noise 0 is no noise");
    }

    @Test
    void noiseOutsideZeroToOneIsAConfigErrorNamingTheKey() {
        assertEquals(0.3, PosttrainConfig.load(null, List.of("posttrain.data.builtin.noise=0.3")).data().builtinNoise());
        ConfigError e = assertThrows(ConfigError.class, () -> PosttrainConfig.load(null, List.of("posttrain.data.builtin.noise=1.5")));
        assertEquals("posttrain.data.builtin.noise", e.key());
    }

    private static Set<String> words(String text) {
        Set<String> out = new HashSet<>();
        for (String w : text.toLowerCase(Locale.ROOT).split("[^a-z]+")) if (!w.isEmpty()) out.add(w);
        return out;
    }

    private static List<String> json(List<BuiltinRecord> records) { return records.stream().map(BuiltinRecord::toJson).toList(); }
}
