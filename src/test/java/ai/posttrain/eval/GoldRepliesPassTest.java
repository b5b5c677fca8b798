package ai.posttrain.eval;

import ai.posttrain.data.BuiltinData;
import ai.posttrain.data.BuiltinRecord;
import ai.posttrain.data.BuiltinSuite;
import ai.posttrain.data.Message;
import ai.posttrain.data.Split;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every built-in held-out record's own reference reply passes the scorer that evaluation applies to its domain, at
 * every level: a suite whose gold answers cannot pass measures its verifier, not the model (the reasoning suite's
 * even/odd answers once failed as "no numeric answer found").
 */
class GoldRepliesPassTest {
    private final DomainScorer scorer = new DomainScorer();

    @Test
    void theReferenceRepliesOfEveryScoredSuitePass() {
        BuiltinData data = new BuiltinData(7, 10, 90);
        for (BuiltinSuite suite : List.of(BuiltinSuite.MATH, BuiltinSuite.STEM, BuiltinSuite.REASONING,
                BuiltinSuite.CONVERSATION, BuiltinSuite.AGENT)) {
            List<String> failures = new ArrayList<>();
            int[] perLevel = new int[4];
            for (BuiltinRecord r : data.generate(suite, Split.HELDOUT)) {
                EvalOutcome o = scoreGold(suite, r);
                perLevel[r.difficulty()]++;
                if (!o.passed()) failures.add(r.difficulty() + " " + r.prompt() + " -> " + o.completion() + ": " + o.reason());
            }
            assertEquals(List.of(), failures, suite.id());
            for (int level = 1; level <= 3; level++) assertTrue(perLevel[level] > 0, suite.id() + " has level " + level);
        }
    }

    @Test
    void theReferenceSolutionsOfTheCodeSuitePassTheirTestsInTheSandbox() {
        List<String> failures = new ArrayList<>();
        int[] perLevel = new int[4];
        for (BuiltinRecord r : new BuiltinData(7, 10, 24).generate(BuiltinSuite.CODE, Split.HELDOUT)) {
            EvalOutcome o = scoreGold(BuiltinSuite.CODE, r);
            perLevel[r.difficulty()]++;
            if (!o.passed()) failures.add(r.difficulty() + " " + r.prompt() + ": " + o.reason());
        }
        assertEquals(List.of(), failures);
        for (int level = 1; level <= 3; level++) assertTrue(perLevel[level] > 0, "code has level " + level);
    }

    @Test
    void aWrongReplyFailsInEachOfThoseSuites() {
        BuiltinData data = new BuiltinData(7, 10, 30);
        for (BuiltinSuite suite : List.of(BuiltinSuite.MATH, BuiltinSuite.STEM, BuiltinSuite.REASONING)) {
            for (BuiltinRecord r : data.generate(suite, Split.HELDOUT)) {
                String gold = firstAssistantTurn(r);
                String wrong = gold.substring(0, gold.lastIndexOf("</think>") + "</think>".length()) + "12345";
                EvalOutcome o = scorer.score(item(suite, r), wrong, true, 10);
                assertFalse(o.passed(), suite.id() + ": " + wrong + " passed for " + r.answer());
            }
        }
    }

    private EvalOutcome scoreGold(BuiltinSuite suite, BuiltinRecord r) {
        return scorer.score(item(suite, r), firstAssistantTurn(r), true, 10);
    }

    /** As EvalItems builds it: the turns before the first assistant turn, which is the gold reply. */
    private static EvalItem item(BuiltinSuite suite, BuiltinRecord r) {
        List<Message> prompt = new ArrayList<>();
        for (Message m : r.messages()) {
            if (m.role().equals("assistant")) break;
            prompt.add(m);
        }
        return new EvalItem(suite.id(), r.key(), r.domain(), r.difficulty(), prompt, r.answer(), r.tests(), firstAssistantTurn(r));
    }

    private static String firstAssistantTurn(BuiltinRecord r) {
        return r.messages().stream().filter(m -> m.role().equals("assistant")).findFirst().orElseThrow().content();
    }
}
