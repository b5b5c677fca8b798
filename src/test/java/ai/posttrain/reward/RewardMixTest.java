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

    /** A wrong sum the reward model likes earns nothing from it beside the math verifier; a chat reply is paid by it. */
    @Test
    void theRewardModelPaysOnlyAnswersNoVerifierOfTheMixChecks() {
        RewardMix withMath = new RewardMix(new RewardMix.Weights(Map.of("reward_model", 1.0, "math", 1.0), 5.0, 64, 4, 0.5, 12, 0.5, 0),
                SandboxLimits.defaults());
        RewardMix.Scored wrong = withMath.score(new RewardMix.Input("math", "<think>2+3=6</think>6", new int[4], true, "5", List.of(), 4.0, null));
        assertEquals(Map.of("math", 0.0), wrong.components());
        assertEquals(0.0, wrong.reward(), 1e-12);
        RewardMix.Scored chat = withMath.score(new RewardMix.Input("chat", "Happy to help.", new int[4], true, null, List.of(), 4.0, null));
        assertEquals(1 / (1 + Math.exp(-4.0)), chat.reward(), 1e-12);
        // Without a math verifier in the mix, the same math answer is the reward model's to pay.
        RewardMix rmOnly = new RewardMix(new RewardMix.Weights(Map.of("reward_model", 1.0), 5.0, 64, 4, 0.5, 12, 0.5, 0),
                SandboxLimits.defaults());
        assertEquals(1 / (1 + Math.exp(-4.0)), rmOnly.score(new RewardMix.Input("math", "<think>2+3=6</think>6", new int[4], true, "5",
                List.of(), 4.0, null)).reward(), 1e-12);
    }
}
