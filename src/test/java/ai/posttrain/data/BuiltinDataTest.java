package ai.posttrain.data;

import ai.posttrain.data.builtin.Wording;
import ai.posttrain.data.builtin.Wordings;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/** The built-in generators: determinism, disjoint splits, difficulty levels and the content of each suite. */
class BuiltinDataTest {
    private static final BuiltinData DATA = new BuiltinData(42, 600, 150);
    private static final Pattern MATH_KEY = Pattern.compile("math:(\\d+)([-+*])(\\d+)");

    @Test
    void sameSeedGivesSameRecordsAndAnotherSeedDiffers() {
        for (BuiltinSuite suite : BuiltinSuite.values()) {
            List<String> a = json(new BuiltinData(5, 50, 10).generate(suite, Split.TRAIN));
            List<String> b = json(new BuiltinData(5, 50, 10).generate(suite, Split.TRAIN));
            List<String> c = json(new BuiltinData(6, 50, 10).generate(suite, Split.TRAIN));
            assertEquals(a, b, suite.id());
            assertNotEquals(a, c, suite.id());
            assertEquals(50, a.size());
        }
    }

    @Test
    void trainAndHeldoutShareNoProblemAndNoPrompt() {
        for (BuiltinSuite suite : BuiltinSuite.values()) {
            List<BuiltinRecord> train = DATA.generate(suite, Split.TRAIN), heldout = DATA.generate(suite, Split.HELDOUT);
            assertEquals(600, train.size());
            assertEquals(150, heldout.size());
            Set<String> trainParts = keyParts(train), heldoutParts = keyParts(heldout);
            trainParts.retainAll(heldoutParts);
            assertEquals(Set.of(), trainParts, suite.id() + " key parts in both splits");
            Set<String> trainPrompts = train.stream().map(BuiltinRecord::prompt).collect(Collectors.toSet());
            Set<String> shared = heldout.stream().map(BuiltinRecord::prompt).filter(trainPrompts::contains).collect(Collectors.toSet());
            assertEquals(Set.of(), shared, suite.id() + " prompts in both splits");
            train.forEach(r -> assertEquals(Split.TRAIN, BuiltinData.splitOf(r.key()), r.key()));
            heldout.forEach(r -> assertEquals(Split.HELDOUT, BuiltinData.splitOf(r.key()), r.key()));
        }
    }

    @Test
    void theSplitOfAProblemDoesNotDependOnSeedOrCount() {
        Set<String> heldoutA = keyParts(new BuiltinData(1, 10, 300).generate(BuiltinSuite.MATH, Split.HELDOUT));
        Set<String> trainB = keyParts(new BuiltinData(2, 3000, 10).generate(BuiltinSuite.MATH, Split.TRAIN));
        trainB.retainAll(heldoutA);
        assertEquals(Set.of(), trainB);
        assertNull(BuiltinData.splitOf(firstKeyIn(Split.TRAIN) + "|" + firstKeyIn(Split.HELDOUT)), "parts that disagree: no split");
    }

    @Test
    void everySuiteHasThreeDifficultyLevelsInBothSplitsAndDistinctTrainProblems() {
        for (BuiltinSuite suite : BuiltinSuite.values()) {
            for (Split split : Split.values()) {
                List<BuiltinRecord> rs = DATA.generate(suite, split);
                assertEquals(Set.of(1, 2, 3), rs.stream().map(BuiltinRecord::difficulty).collect(Collectors.toSet()), suite.id());
                for (BuiltinRecord r : rs) {
                    assertEquals("user", r.messages().stream().filter(m -> !m.role().equals("system")).findFirst().orElseThrow().role());
                    assertEquals("assistant", r.messages().get(r.messages().size() - 1).role(), r.id());
                    assertFalse(r.prompt().isBlank(), r.id());
                }
            }
            List<BuiltinRecord> train = DATA.generate(suite, Split.TRAIN);
            long distinct = train.stream().map(BuiltinRecord::key).distinct().count();
            assertTrue(distinct > train.size() / 4, suite.id() + ": only " + distinct + " distinct problems");
        }
        assertEquals(600, DATA.generate(BuiltinSuite.MATH, Split.TRAIN).stream().map(BuiltinRecord::key).distinct().count(),
                "math never repeats a problem within a split");
    }

    /**
     * Every math record asks its key's problem in one of its split's wordings (inside a frame of its split's kind),
     * with the right answer: the classic few (or, under many, half of them the composed ones) for training and
     * held-out data, reworded ones (never among either) for the reworded split; most wordings of each kind get used.
     */
    @Test
    void mathWordsEachProblemInItsSplitsWordingsWithCorrectAnswers() {
        Map<Character, List<Wordings>> many = ai.posttrain.data.builtin.MathProblems.WORDINGS;
        Map<Character, List<String>> few = ai.posttrain.data.builtin.MathProblems.FEW;
        for (char op : new char[]{'+', '-', '*'}) {
            int trained = many.get(op).stream().mapToInt(w -> w.trained().size()).sum();
            List<String> reworded = many.get(op).stream().flatMap(w -> w.reworded().stream()).toList();
            assertTrue(trained >= 60 && reworded.size() >= 40, "wordings of " + op + ": " + trained + " trained, " + reworded.size() + " reworded");
            assertTrue(few.get(op).size() >= 20 && few.get(op).stream().noneMatch(reworded::contains), "few wordings of " + op);
        }
        for (Wording training : List.of(Wording.FEW, Wording.MANY)) {
            Map<Wording, Set<String>> seen = Map.of(training, new HashSet<>(), Wording.REWORDED, new HashSet<>());
            for (Split split : Split.values()) {
                Wording wording = split == Split.REWORDED ? Wording.REWORDED : training;
                BuiltinData data = new BuiltinData(42, split == Split.TRAIN ? 6000 : 600, 150, training);
                for (BuiltinRecord r : data.generate(BuiltinSuite.MATH, split)) {
                    Matcher m = MATH_KEY.matcher(r.key());
                    assertTrue(m.matches(), r.key());
                    long a = Long.parseLong(m.group(1)), b = Long.parseLong(m.group(3));
                    char op = m.group(2).charAt(0);
                    long expected = switch (op) { case '+' -> a + b; case '-' -> a - b; default -> a * b; };
                    assertEquals(Long.toString(expected), r.answer(), r.prompt());
                    String question = wording == Wording.FEW ? r.prompt() : Wordings.unframe(r.prompt(), wording == Wording.REWORDED);
                    // many asks half its records in the few classic wordings
                    List<String> wordings = new ArrayList<>(wording == Wording.REWORDED ? List.of() : few.get(op));
                    if (wording != Wording.FEW) many.get(op).forEach(w -> wordings.addAll(w.of(wording == Wording.REWORDED)));
                    String used = wordings.stream()
                            .filter(w -> String.format(w, a, b, op).equals(question) || op != '-' && String.format(w, b, a, op).equals(question))
                            .findFirst().orElse(null);
                    assertNotNull(used, training + " " + split + ": '" + r.prompt() + "' is no " + op + " wording of " + r.key());
                    seen.get(wording).add(used);
                    if (r.difficulty() == 1) {
                        assertTrue(op != '*' && a >= 10 && a <= 99 && b >= 10 && b <= 99 && expected >= 0, "difficulty 1: " + r.prompt());
                    }
                    String response = r.messages().get(1).content();
                    assertTrue(response.startsWith("<think>") && response.endsWith("</think>" + r.answer()), response);
                    assertEquals("math", r.domain());
                }
            }
            for (char op : new char[]{'+', '-'}) {
                List<List<String>> kinds = training == Wording.FEW ? List.of(few.get(op)) : many.get(op).stream().map(Wordings::trained).toList();
                for (List<String> kind : kinds) {
                    long used = kind.stream().filter(seen.get(training)::contains).count();
                    assertTrue(used >= kind.size() / 2, training + " " + op + ": only " + used + " of " + kind.size() + " wordings used");
                }
                for (Wordings kind : many.get(op))
                    assertTrue(kind.reworded().stream().anyMatch(seen.get(Wording.REWORDED)::contains), op + ": a kind's reworded wordings never used");
            }
        }
        BuiltinRecord example = ai.posttrain.data.builtin.MathProblems.problem(23, '+', 45, 1, "What is %1$s %3$c %2$s?");
        assertEquals("What is 23 + 45?", example.prompt());
        assertEquals("<think>3+5+0=8 d8 c0\n2+4+0=6 d6 c0</think>68", example.messages().get(1).content());
    }

    /** The digits written by the final column block, read from the last line up, spell the answer. */
    @Test
    void mathTraceDigitsSpellTheAnswerAndFitASmallContext() {
        Pattern digit = Pattern.compile("(?:^|\\s)d(\\d)(?:\\s|$)");
        for (BuiltinRecord r : DATA.generate(BuiltinSuite.MATH, Split.TRAIN)) {
            String response = r.messages().get(1).content();
            List<String> lines = List.of(response.substring(7, response.indexOf("</think>")).split("\n"));
            List<String> digits = new ArrayList<>();
            for (int i = lines.size() - 1; i >= 0; i--) {
                Matcher m = digit.matcher(lines.get(i));
                if (!m.find()) break;
                digits.add(m.group(1));
            }
            String spelled = String.join("", digits).replaceFirst("^0+(?=\\d)", "");
            assertEquals(r.answer().replace("-", ""), spelled, response);
            // The answer fits in RL's 128 new tokens with room to spare, the longest framed story in 130 bytes.
            assertTrue(r.prompt().getBytes(StandardCharsets.UTF_8).length <= 130, r.prompt());
            if (r.difficulty() <= 2) {
                int bytes = response.getBytes(StandardCharsets.UTF_8).length;
                assertTrue(bytes <= 96, bytes + " bytes: " + r.prompt() + " " + response);
            }
        }
    }

    @Test
    void stemAnswersCarryAUnitAndCloseTheThinkTrace() {
        Pattern answer = Pattern.compile("-?\\d+(\\.\\d+)? (km/h|m/s|m/s\\^2|N|V|m|cm|g|kg|min|s|g/cm\\^3|J|W|km|ohm)");
        for (BuiltinRecord r : DATA.generate(BuiltinSuite.STEM, Split.TRAIN)) {
            assertTrue(answer.matcher(r.answer()).matches(), r.answer());
            String response = r.messages().get(1).content();
            assertTrue(response.endsWith(r.answer() + "</think>" + r.answer()), response);
        }
    }

    /** Difficulty 1 asks for the arithmetic math difficulty 1 teaches, in the same column trace. */
    @Test
    void stemDifficultyOneIsATwoDigitSumOrDifferenceInTheMathTraceOrAConversionByTen() {
        Pattern formula = Pattern.compile("(\\w+) = [\\w +-]+ = (\\d+) ([+-]) (\\d+)");
        Set<String> kinds = new HashSet<>();
        for (BuiltinRecord r : DATA.generate(BuiltinSuite.STEM, Split.TRAIN)) {
            if (r.difficulty() != 1) continue;
            String response = r.messages().get(1).content();
            List<String> lines = List.of(response.substring(7, response.indexOf("</think>")).split("\n"));
            kinds.add(r.key().substring(0, r.key().indexOf(':', 5)));
            if (r.key().startsWith("stem:convert:")) {
                assertTrue(lines.get(0).matches("1 \\w+ = (100|1000) \\w+, so .*"), response);
                continue;
            }
            Matcher m = formula.matcher(lines.get(0));
            assertTrue(m.matches(), response);
            long a = Long.parseLong(m.group(2)), b = Long.parseLong(m.group(4));
            char op = m.group(3).charAt(0);
            assertTrue(a >= 10 && a <= 99 && b >= 10 && b <= 99 && (op == '+' || a > b), r.prompt());
            assertEquals(ai.posttrain.data.builtin.ArithmeticTrace.trace(a, op, b), lines.subList(1, lines.size() - 1), response);
            long result = op == '+' ? a + b : a - b;
            assertEquals(m.group(1) + " = " + r.answer(), lines.get(lines.size() - 1), response);
            assertEquals(Long.toString(result), r.answer().substring(0, r.answer().indexOf(' ')));
        }
        assertEquals(Set.of("stem:series", "stem:net-force", "stem:legs", "stem:mass", "stem:elapsed", "stem:convert"), kinds);
    }

    /**
     * A difficulty-1 function's name carries its constant in digits, as the prompt does, and the
     * held-out split has dozens of constants that training never shows, so a pass needs copying.
     */
    @Test
    void codeDifficultyOneNamesCarryTheirConstantAndHeldoutHasManyUnseenProblems() {
        Pattern name = Pattern.compile(".*\\b([a-z_]+_(\\d+))\\((x|n)\\).*\\b\\2\\b.*");
        for (Split split : Split.values()) {
            for (BuiltinRecord r : DATA.generate(BuiltinSuite.CODE, split)) {
                if (r.difficulty() != 1) continue;
                Matcher m = name.matcher(r.prompt());
                assertTrue(m.matches(), r.prompt());
                String response = r.messages().get(1).content();
                assertTrue(response.contains("def " + m.group(1) + "(" + m.group(3) + "):\n    return ")
                        && response.matches("(?s).*return .*\\b" + m.group(2) + "\\b.*"), response);
            }
        }
        long heldoutProblems = new BuiltinData(7, 0, 900).generate(BuiltinSuite.CODE, Split.HELDOUT).stream()
                .filter(r -> r.difficulty() == 1).map(BuiltinRecord::key).distinct().count();
        assertTrue(heldoutProblems >= 40, heldoutProblems + " distinct held-out difficulty-1 code problems");
    }

    @Test
    void codeSolutionsPassTheirOwnTestsInPython(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<String> cases = new ArrayList<>();
        List<BuiltinRecord> all = new ArrayList<>(DATA.generate(BuiltinSuite.CODE, Split.TRAIN));
        all.addAll(DATA.generate(BuiltinSuite.CODE, Split.HELDOUT));
        for (BuiltinRecord r : all) {
            String response = r.messages().get(1).content();
            assertTrue(response.startsWith("<think>") && response.contains("</think>\n```python\ndef "), response);
            assertTrue(r.tests().size() >= 3 && r.tests().stream().allMatch(t -> t.startsWith("assert ")), r.id());
            String code = response.substring(response.indexOf("```python\n") + 10, response.lastIndexOf("```"));
            cases.add(json.writeValueAsString(List.of(r.id(), code, String.join("\n", r.tests()))));
        }
        Path input = Files.write(dir.resolve("cases.jsonl"), cases);
        Path script = Files.writeString(dir.resolve("check.py"), String.join("\n",
                "import json, sys", "bad = 0", "for line in open(sys.argv[1]):",
                "    rid, code, tests = json.loads(line)", "    try:", "        env = {}", "        exec(code + '\\n' + tests, env)",
                "    except Exception as e:", "        bad += 1", "        print(rid, repr(e))", "print('failed', bad)", ""));
        Process p = new ProcessBuilder("python3", script.toString(), input.toString()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertEquals("failed 0", out.strip(), out);
    }

    @Test
    void agentToolCallsAreValidAndToolTurnsHoldTheirResults() throws IOException {
        ToolCatalog catalog = ToolCatalog.standard();
        Set<String> toolsUsed = new HashSet<>();
        for (BuiltinRecord r : DATA.generate(BuiltinSuite.AGENT, Split.TRAIN)) {
            List<Message> ms = r.messages();
            int calls = 0;
            for (int i = 0; i < ms.size(); i++) {
                Message m = ms.get(i);
                if (!m.role().equals("assistant") || !m.content().contains(ToolCall.OPEN)) continue;
                List<ToolCall> parsed = ToolCall.parseAll(m.content());
                assertEquals(1, parsed.size());
                assertEquals(List.of(), catalog.problems(parsed.get(0)), m.content());
                assertEquals(new Message("tool", catalog.run(parsed.get(0))), ms.get(i + 1));
                toolsUsed.add(parsed.get(0).name());
                calls++;
            }
            assertEquals(r.difficulty() == 3 ? 2 : 1, calls, r.id());
            assertFalse(ms.get(ms.size() - 1).content().contains(ToolCall.OPEN));
            assertEquals(r.difficulty() >= 2, ms.get(0).role().equals("system"), r.id());
        }
        assertEquals(catalog.tools().stream().map(ToolCatalog.Tool::name).collect(Collectors.toSet()), toolsUsed);
    }

    @Test
    void toolCatalogFindsWhatIsWrongWithACall() throws IOException {
        ToolCatalog catalog = ToolCatalog.standard();
        ObjectMapper json = new ObjectMapper();
        ToolCall ok = ToolCall.parseAll("x <tool_call>{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Oslo\"}}</tool_call>").get(0);
        assertEquals(List.of(), catalog.problems(ok));
        ToolCall bad = new ToolCall("convert_units", (com.fasterxml.jackson.databind.node.ObjectNode)
                json.readTree("{\"value\":\"3\",\"to_unit\":\"m\",\"colour\":\"red\"}"));
        assertEquals(List.of("argument 'value' must be a number", "missing argument 'from_unit'", "unknown argument 'colour'"),
                catalog.problems(bad));
        assertEquals(List.of("unknown tool 'fly'"), catalog.problems(new ToolCall("fly", json.createObjectNode())));
        JsonNode result = json.readTree(catalog.run(ToolCall.parseAll(
                "<tool_call>{\"name\":\"convert_units\",\"arguments\":{\"value\":3.5,\"from_unit\":\"km\",\"to_unit\":\"m\"}}</tool_call>").get(0)));
        assertEquals(3500, result.get("value").asInt());
        assertThrows(IllegalArgumentException.class, () -> ToolCall.parseAll("<tool_call>{\"name\":\"calculator\""));
        assertThrows(IllegalArgumentException.class, () -> ToolCall.parseAll("<tool_call>{\"arguments\":{}}</tool_call>"));
    }

    @Test
    void reasoningAndPreferenceRecordsAreWellFormed() {
        for (BuiltinRecord r : DATA.generate(BuiltinSuite.REASONING, Split.TRAIN)) {
            String response = r.messages().get(1).content();
            assertTrue(response.startsWith("<think>") && response.endsWith("</think>" + r.answer()), response);
        }
        Set<String> domains = new HashSet<>();
        for (BuiltinRecord r : DATA.generate(BuiltinSuite.PREFERENCE, Split.TRAIN)) {
            assertNotEquals(r.chosen(), r.rejected());
            assertEquals(List.of(Message.user(r.prompt()), Message.assistant(r.chosen())), r.messages());
            if (r.answer() != null) assertTrue(r.chosen().endsWith(r.answer()), r.chosen());
            domains.add(r.domain());
        }
        assertEquals(Set.of("math", "reasoning", "chat"), domains);
    }

    private static String firstKeyIn(Split split) {
        return DATA.generate(BuiltinSuite.MATH, split, 1).get(0).key();
    }

    private static Set<String> keyParts(List<BuiltinRecord> records) {
        Set<String> parts = new HashSet<>();
        for (BuiltinRecord r : records) Collections.addAll(parts, r.key().split("\\|"));
        return parts;
    }

    /**
     * Math, STEM and code ask their reworded split in sentences training never uses: with numbers, quoted letters and
     * frames taken out, no reworded prompt reads like a trained one, while held-out prompts mostly do.
     */
    @Test
    void rewordedSplitsAskInSentencesTrainingNeverUses() {
        for (Wording training : List.of(Wording.FEW, Wording.MANY)) {
            BuiltinData data = new BuiltinData(42, 3000, 150, training);
            for (BuiltinSuite suite : List.of(BuiltinSuite.MATH, BuiltinSuite.STEM, BuiltinSuite.CODE)) {
                assertTrue(suite.reworded(), suite.id());
                String what = training + " " + suite.id();
                Set<String> trained = skeletons(data.generate(suite, Split.TRAIN), false);
                Set<String> heldout = skeletons(data.generate(suite, Split.HELDOUT), false);
                Set<String> reworded = skeletons(data.generate(suite, Split.REWORDED), true);
                Set<String> leaked = new HashSet<>(reworded);
                leaked.retainAll(trained);
                assertEquals(Set.of(), leaked, what + ": reworded prompts that read like trained ones");
                long familiar = heldout.stream().filter(trained::contains).count();
                assertTrue(familiar >= heldout.size() / 2, what + ": only " + familiar + " of " + heldout.size() + " held-out sentences trained");
                assertTrue(reworded.size() >= 20, what + ": " + reworded.size() + " reworded sentences");
                if (training == Wording.MANY)
                    assertTrue(trained.size() > 3 * skeletons(new BuiltinData(42, 3000, 150).generate(suite, Split.TRAIN), false).size(),
                            what + ": not many more sentences than few");
            }
        }
    }

    /** Each prompt's sentence: unframed, digits as #, quoted text as '?', a function's signature as f(). */
    private static Set<String> skeletons(List<BuiltinRecord> records, boolean reworded) {
        return records.stream().map(r -> Wordings.unframe(r.prompt(), reworded).replaceAll("\\d+", "#").replaceAll("'[^']*'", "'?'")
                        .replaceAll("[A-Za-z_][\\w#]*\\([^)]*\\)", "f()"))
                .collect(Collectors.toSet());
    }

    @Test
    void onlySuitesWithRewordedWordingsHaveARewordedSplit() {
        assertEquals(new BuiltinInput(BuiltinSuite.MATH, Split.REWORDED), BuiltinInput.parse("builtin:math:reworded"));
        assertEquals(new BuiltinInput(BuiltinSuite.CODE, Split.REWORDED), BuiltinInput.parse("builtin:code:reworded"));
        DataException e = assertThrows(DataException.class, () -> BuiltinInput.parse("builtin:agent:reworded"));
        assertTrue(e.getMessage().contains("'builtin:agent:reworded'") && e.getMessage().contains("[math, stem, code]"), e.getMessage());
    }

    private static List<String> json(List<BuiltinRecord> records) {
        return records.stream().map(BuiltinRecord::toJson).toList();
    }
}
