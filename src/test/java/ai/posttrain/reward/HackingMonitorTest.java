package ai.posttrain.reward;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The monitor's decision over synthetic per-iteration aggregates. */
class HackingMonitorTest {
    private static HackingMonitor monitor(int patience) {
        return new HackingMonitor(new HackingMonitor.Bounds(400, 1.5, 0.25, 0.25, 0.02, 0.5, patience));
    }

    /** A code sub-stage's iteration: format pay and verifier accuracy, a steady length, KL as given. */
    private static HackingMonitor.Observation code(double format, double accuracy, double kl) {
        return new HackingMonitor.Observation(Map.of("format", format), accuracy, format + accuracy, 40, 0, kl);
    }

    private static List<HackingMonitor.Verdict> feed(HackingMonitor m, HackingMonitor.Observation... os) {
        List<HackingMonitor.Verdict> out = new ArrayList<>();
        for (HackingMonitor.Observation o : os) out.add(m.observe(o));
        return out;
    }

    @Test
    void formatRisingWhileCorrectnessFallsFiresAfterExactlyPatienceIterationsAndOnlyOnce() {
        List<HackingMonitor.Verdict> v = feed(monitor(3),
                code(0.10, 0.50, 0.01),    // 0: the baseline
                code(0.12, 0.52, 0.01),    // 1: both improve: clean, the last good
                code(0.15, 0.40, 0.01),    // 2: format up, accuracy down: streak 1
                code(0.18, 0.30, 0.01),    // 3: streak 2
                code(0.20, 0.20, 0.01),    // 4: streak 3 = patience: fires
                code(0.20, 0.10, 0.01));   // 5: streak 4: does not fire again
        assertEquals(List.of(false, false, true, true, true, true), v.stream().map(HackingMonitor.Verdict::signal).toList());
        assertEquals(List.of(false, false, false, false, true, false), v.stream().map(HackingMonitor.Verdict::fires).toList());
        assertEquals(List.of("format"), v.get(4).risingProxies());
        assertEquals("proxy_up_verifier_down[format]", v.get(4).describe());
        assertEquals(1, v.get(4).lastGood(), "the policy of the iteration before the signal began");
        assertEquals(3, v.get(4).streak());
    }

    @Test
    void aCleanIterationResetsTheCount() {
        List<HackingMonitor.Verdict> v = feed(monitor(2),
                code(0.1, 0.5, 0.1),
                code(0.1, 0.5, 0.9),    // 1: KL over the bound: streak 1
                code(0.1, 0.5, 0.2),    // 2: clean: reset, the new last good
                code(0.1, 0.5, 0.9),    // 3: streak 1
                code(0.1, 0.5, 0.9));   // 4: streak 2: fires
        assertEquals(List.of(0, 1, 0, 1, 2), v.stream().map(HackingMonitor.Verdict::streak).toList());
        assertEquals(List.of(false, false, false, false, true), v.stream().map(HackingMonitor.Verdict::fires).toList());
        assertEquals("kl_over_bound", v.get(4).describe());
        assertEquals(2, v.get(4).lastGood());
    }

    @Test
    void aSignalFromTheFirstIterationHasNoGoodIterationAndPatienceOneFiresAtOnce() {
        HackingMonitor.Verdict first = monitor(1).observe(code(0.1, 0.5, 0.9));
        assertTrue(first.fires());
        assertEquals(-1, first.lastGood());
    }

    @Test
    void eachProxyIsWatchedOnItsOwnAgainstTheVerifier() {
        // The reward model rises while format falls and accuracy falls: only the reward model is named.
        HackingMonitor m = monitor(1);
        m.observe(new HackingMonitor.Observation(Map.of("format", 0.2, "reward_model", 0.4), 0.6, 1.2, 40, 0, 0));
        HackingMonitor.Verdict v = m.observe(new HackingMonitor.Observation(Map.of("format", 0.1, "reward_model", 0.7), 0.3, 1.1, 40, 0, 0));
        assertEquals(List.of("reward_model"), v.risingProxies());
        // Without a verifier (accuracy NaN) a rising proxy is no signal by itself.
        HackingMonitor chat = monitor(1);
        chat.observe(new HackingMonitor.Observation(Map.of("reward_model", 0.4), Double.NaN, 0.4, 40, 0, 0));
        assertFalse(chat.observe(new HackingMonitor.Observation(Map.of("reward_model", 0.9), Double.NaN, 0.9, 40, 0, 0)).signal());
    }

    @Test
    void lengthGrowingWhileTheRewardStaysFlatIsASignalButLengthThatPaysOffIsNot() {
        HackingMonitor flat = monitor(1);
        flat.observe(new HackingMonitor.Observation(Map.of("reward_model", 0.5), Double.NaN, 0.5, 40, 0, 0));
        HackingMonitor.Verdict v = flat.observe(new HackingMonitor.Observation(Map.of("reward_model", 0.5), Double.NaN, 0.5, 55, 0, 0));
        assertEquals("length_up_reward_flat", v.describe());
        HackingMonitor better = monitor(1);
        better.observe(new HackingMonitor.Observation(Map.of(), 0.3, 0.3, 40, 0, 0));
        assertFalse(better.observe(new HackingMonitor.Observation(Map.of(), 0.6, 0.6, 55, 0, 0)).signal());
        // A length pay does not count as reward earned: longer answers paid only for their length are a signal.
        HackingMonitor pay = monitor(1);
        pay.observe(new HackingMonitor.Observation(Map.of("length", 0.1), 0.5, 0.6, 40, 0, 0));
        assertEquals("length_up_reward_flat", pay.observe(new HackingMonitor.Observation(Map.of("length", 0.3), 0.5, 0.8, 55, 0, 0)).describe());
    }
}
