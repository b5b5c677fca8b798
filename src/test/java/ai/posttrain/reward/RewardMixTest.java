package ai.posttrain.reward;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RewardMixTest {
    // Weights: format 0.2 only; clip 5, 64 new tokens, no overlong or repetition penalty in play.
    private final RewardMix mix = new RewardMix(new RewardMix.Weights(Map.of("format", 0.2), 5.0, 64, 4, 0.5, 12, 0.5, 0),
            SandboxLimits.defaults());

    private double format(String domain, String completion, boolean stopped) {
        RewardMix.Input in = new RewardMix.Input(domain, completion, new int[completion.length()], stopped, null, List.of(), null, null);
        return mix.score(in).components().get("format");
    }

    @Test
    void formatRewardChecksTheLayoutThePromptsDomainAsksFor() {
        // Chat: a plain reply that ends its turn, the eval's format_validity.
        assertEquals(0.2, format("chat", "Happy to help with that.", true), 1e-12);
        assertEquals(0.0, format("chat", "<think>hm</think>Happy to help.", true), 1e-12);
        assertEquals(0.0, format("chat", "Happy to help with that.", false), 1e-12);
        assertEquals(0.0, format("chat", "Happy to help with", true), 1e-12);
        // Reasoning domains: <think>...</think> then the answer.
        assertEquals(0.2, format("math", "<think>2+3=5</think>5", true), 1e-12);
        assertEquals(0.0, format("math", "The answer is 5.", true), 1e-12);
        assertEquals(0.2, format("code", "<think>add</think>def f(x): return x", true), 1e-12);
        // Agent: a tool call.
        assertEquals(0.2, format("agent", "<tool_call>{\"name\":\"lookup_capital\",\"arguments\":{\"country\":\"Peru\"}}</tool_call>", true), 1e-12);
        assertEquals(0.0, format("agent", "The capital of Peru is Lima.", true), 1e-12);
    }

    @Test
    void agentPromptsAreVerifiedByTheirToolCallAgainstTheAnswersTool() {
        RewardMix toolCalls = new RewardMix(new RewardMix.Weights(Map.of("tool_call", 1.0), 5.0, 64, 4, 0.5, 12, 0.5, 0),
                SandboxLimits.defaults());
        String capital = "<tool_call>{\"name\":\"lookup_capital\",\"arguments\":{\"country\":\"Peru\"}}</tool_call>";
        RewardMix.Scored right = toolCalls.score(new RewardMix.Input("agent", capital, new int[10], true, "lookup_capital", List.of(), null, null));
        assertEquals(1.0, right.reward(), 1e-12);
        assertEquals(Boolean.TRUE, right.verifierCorrect());
        RewardMix.Scored wrongTool = toolCalls.score(new RewardMix.Input("agent", capital, new int[10], true, "get_weather", List.of(), null, null));
        assertEquals(0.0, wrongTool.reward(), 1e-12);
        assertEquals(Boolean.FALSE, wrongTool.verifierCorrect());
        String noArgument = "<tool_call>{\"name\":\"lookup_capital\",\"arguments\":{}}</tool_call>";
        assertEquals(Boolean.FALSE, toolCalls.score(new RewardMix.Input("agent", noArgument, new int[10], true, "lookup_capital", List.of(), null, null)).verifierCorrect());
        assertEquals(Boolean.FALSE, toolCalls.score(new RewardMix.Input("agent", "Lima.", new int[10], true, "lookup_capital", List.of(), null, null)).verifierCorrect());
    }
}
