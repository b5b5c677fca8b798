package ai.posttrain.reward;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class ToolCallVerifierTest {
    final ToolCallVerifier v = new ToolCallVerifier(Map.of(
            "weather", Set.of("city"),
            "search", Set.of("query", "limit"),
            "now", Set.of()));

    @Test
    void validCallsPass() {
        VerifierResult r = v.verify("<think>need weather</think><tool_call>{\"name\": \"weather\", \"arguments\": {\"city\": \"Paris\", \"unit\": \"C\"}}</tool_call>", null);
        assertTrue(r.passed(), r.reason());
        assertTrue(v.verify("<tool_call>{\"name\": \"now\"}</tool_call>", null).passed());
        assertTrue(v.verify("<tool_call>{\"name\": \"search\", \"arguments\": \"{\\\"query\\\": \\\"x\\\", \\\"limit\\\": 2}\"}</tool_call>", "search").passed(),
                "arguments given as a JSON string");
    }

    @Test
    void eachProblemIsNamed() {
        assertTrue(v.verify("<tool_call>{name: 'weather'}</tool_call>", null).reason().contains("not a JSON object"));
        assertTrue(v.verify("<tool_call>{\"name\": \"weather\", \"arguments\": {\"city\": \"P\"}} trailing</tool_call>", null).reason().contains("not a JSON object"));
        assertTrue(v.verify("<tool_call>{\"name\": \"rm_rf\", \"arguments\": {}}</tool_call>", null).reason().contains("unknown tool 'rm_rf'"));
        VerifierResult missing = v.verify("<tool_call>{\"name\": \"search\", \"arguments\": {\"query\": \"x\"}}</tool_call>", null);
        assertTrue(missing.reason().contains("[limit]"), missing.reason());
        assertEquals("no <tool_call> block", v.verify("I will call the weather tool.", null).reason());
        assertTrue(v.verify("<tool_call>{\"name\": \"now\"}", null).reason().startsWith("unterminated"));
    }

    @Test
    void scoreIsTheFractionOfValidCallsAndTheReferenceToolMustBeCalled() {
        String two = "<tool_call>{\"name\": \"now\"}</tool_call><tool_call>{\"name\": \"weather\", \"arguments\": {}}</tool_call>";
        VerifierResult r = v.verify(two, null);
        assertFalse(r.passed());
        assertEquals(0.5, r.score(), 1e-9);
        VerifierResult wrongTool = v.verify("<tool_call>{\"name\": \"now\"}</tool_call>", "weather");
        assertFalse(wrongTool.passed());
        assertTrue(wrongTool.reason().contains("'weather'"), wrongTool.reason());
    }
}
