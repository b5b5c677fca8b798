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
    }
}
