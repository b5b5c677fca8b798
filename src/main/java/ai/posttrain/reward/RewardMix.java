package ai.posttrain.reward;

import ai.posttrain.data.ToolCatalog;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * A sub-stage's weighted reward for one completion, scored in isolation: verifier components by the
 * prompt's domain (math/reasoning → math, stem → stem, code → code, agent → tool_call), format, the reward
 * model's score (for answers no verifier of the mix checks), KL and length terms, then overlong and repetition penalties, clipped to
 * [-clip, clip]. A crash anywhere is a zero reward with a flag, never an exception.
 */
public final class RewardMix implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * What scoring needs besides the completion. {@code rmScore}/{@code kl} are null when not computed;
     * {@code rmFailure} is the flag of a reward model that gave no score (e.g. {@code verifier_timeout:reward_model}).
     */
    public record Input(String domain, String completion, int[] tokens, boolean stopped, String answer,
                        List<String> tests, Double rmScore, Double kl, String rmFailure) implements Serializable {
        public Input(String domain, String completion, int[] tokens, boolean stopped, String answer, List<String> tests,
                     Double rmScore, Double kl) {
            this(domain, completion, tokens, stopped, answer, tests, rmScore, kl, null);
        }
    }

    /** {@code components}: name → weighted contribution (penalties included); {@code reward}: their clipped sum. */
    public record Scored(Map<String, Double> components, double reward, Boolean verifierCorrect, boolean flagged,
                         String flagReason, double seconds) implements Serializable {}

    /** How the mix is weighted and shaped. {@code rmMidpoint}: the reward model score that maps to 0.5. */
    public record Weights(Map<String, Double> rewards, double clip, int maxNewTokens, int overlongBuffer,
                          double overlongPenalty, int repetitionNgram, double repetitionPenalty, double rmMidpoint) implements Serializable {}

    private final Weights w;
    /** The pure-Java verifiers by component (math, stem, tool_call), each run under the deadline. */
    private final Map<String, Verifier> verifiers;
    private final CodeVerifier code;
    private final ResponseLayout layout = new ResponseLayout();
    private final VerifierDeadline deadline;

    public RewardMix(Weights weights, SandboxLimits sandbox) { this(weights, sandbox, VerifierDeadline.defaults()); }

    public RewardMix(Weights weights, SandboxLimits sandbox, VerifierDeadline deadline) {
        this(weights, Map.of("math", new MathVerifier(), "stem", new StemVerifier(),
                "tool_call", new ToolCallVerifier(ToolCatalog.standard().requiredArguments())), new CodeVerifier("python3", sandbox), deadline);
    }

    private RewardMix(Weights weights, Map<String, Verifier> verifiers, CodeVerifier code, VerifierDeadline deadline) {
        this.w = weights;
        this.verifiers = Map.copyOf(verifiers);
        this.code = code;
        this.deadline = deadline;
    }

    /** This mix with another verifier for a component (math, stem or tool_call), e.g. a user's own. */
    public RewardMix withVerifier(String component, Verifier verifier) {
        if (!verifiers.containsKey(component)) throw new IllegalArgumentException("no verifier component " + component);
        Map<String, Verifier> v = new LinkedHashMap<>(verifiers);
        v.put(component, verifier);
        return new RewardMix(w, v, code, deadline);
    }

    public Weights weights() { return w; }

    public VerifierDeadline deadline() { return deadline; }

    /** Never throws: whatever goes wrong is a zero reward, flagged with the reason. */
    public Scored score(Input in) {
        long t0 = System.nanoTime();
        try {
            return scoreUnsafe(in, t0);
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            return new Scored(Map.of(), 0.0, null, true, "scoring_error: " + e, (System.nanoTime() - t0) / 1e9);
        }
    }

    private Scored scoreUnsafe(Input in, long t0) {
        Map<String, Double> parts = new LinkedHashMap<>();
        LinkedHashSet<String> flags = new LinkedHashSet<>();
        List<String> reasons = new ArrayList<>();
        String completion = in.completion() == null ? "" : in.completion();
        String verifier = verifierFor(in.domain());
        Boolean correct = null;
        boolean verified = verifier != null && w.rewards().containsKey(verifier);
        if (verified) {
            // Code has its own deadline that kills (the jail's wall clock); the others can only be abandoned at theirs.
            VerifierResult r = verifier.equals("code") ? code.verifyTests(completion, in.tests() == null ? List.of() : in.tests())
                    : deadline.verify(verifier, () -> verifiers.get(verifier).verify(completion, in.answer()));
            parts.put(verifier, w.rewards().get(verifier) * r.score());
            correct = r.passed();
            if (!r.flags().isEmpty()) {
                flags.addAll(r.flags());
                reasons.add(r.reason());
            }
        }
        if (w.rewards().containsKey("format")) {
            VerifierDeadline.Outcome<Double> f = deadline.call("format", deadline.timeoutMillis(),
                    () -> formatScore(in.domain(), completion, in.stopped()));
            parts.put("format", f.ok() ? w.rewards().get("format") * f.value() : 0.0);
            if (!f.ok()) {
                flags.add(f.flag());
                reasons.add(f.reason());
            }
        }
        // The reward model pays only answers no verifier of the mix checks: it cannot tell a right sum from a wrong one,
        // and beside a verifier it would pay fluent wrong answers.
        if (w.rewards().containsKey("reward_model") && !verified) {
            if (in.rmScore() == null || !Double.isFinite(in.rmScore())) {
                flags.add(in.rmFailure() != null ? in.rmFailure() : "reward_model_missing");
            } else {
                parts.put("reward_model", w.rewards().get("reward_model") * sigmoid(in.rmScore() - w.rmMidpoint()));
            }
        }
        if (w.rewards().containsKey("kl_penalty") && in.kl() != null) parts.put("kl_penalty", -w.rewards().get("kl_penalty") * in.kl());
        if (w.rewards().containsKey("length")) parts.put("length", w.rewards().get("length") * in.tokens().length / (double) w.maxNewTokens());
        double over = Penalties.overlong(in.tokens().length, !in.stopped(), w.maxNewTokens(), w.overlongBuffer(), w.overlongPenalty());
        if (over != 0) parts.put("overlong_penalty", over);
        double rep = Penalties.repetition(in.tokens(), w.repetitionNgram(), w.repetitionPenalty());
        if (rep != 0) parts.put("repetition_penalty", rep);

        boolean flagged = !flags.isEmpty();
        double total = 0;
        for (double v : parts.values()) total += v;
        // A flagged sample (crash, timeout, sandbox violation) earns nothing, whatever else it scored.
        double reward = flagged ? 0.0 : Math.max(-w.clip(), Math.min(w.clip(), total));
        if (!Double.isFinite(reward)) {
            reward = 0;
            flagged = true;
            flags.add("non_finite_reward");
        }
        String reason = flagged ? String.join(",", flags) + (reasons.isEmpty() ? "" : ": " + String.join("; ", reasons)) : null;
        return new Scored(parts, reward, correct, flagged, reason, (System.nanoTime() - t0) / 1e9);
    }

    /** 1 when the completion has the layout its prompt's domain asks for (a chat reply must also end its turn). */
    private double formatScore(String domain, String completion, boolean stopped) {
        return layout.matches(domain, completion) && (stopped || !ResponseLayout.isChat(domain)) ? 1.0 : 0.0;
    }

    /** The verifier component a prompt's domain is checked by (agent: its tool calls, against the answer's tool), or null (chat). */
    public static String verifierFor(String domain) {
        if (domain == null) return null;
        return switch (domain) {
            case "math", "reasoning" -> "math";
            case "stem" -> "stem";
            case "code" -> "code";
            case "agent" -> "tool_call";
            default -> null;
        };
    }

    private static double sigmoid(double x) { return 1 / (1 + Math.exp(-x)); }
}
