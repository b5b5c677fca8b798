package ai.posttrain.run;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Named points in long phases where a test can kill the JVM at a known moment. Inert unless the system
 * property {@value #PROPERTY} is set to {@code NAME} or {@code NAME@N}: then the N-th arrival (default 1)
 * at that point in this JVM prints {@code [kill-point] NAME@N reached} on stderr and blocks forever, so the
 * test can {@code kill -9} the process while the phase is under way. The points sit on the production paths
 * themselves (a property read per call when unset), which is what makes the kill tests honest.
 * <ul>
 *   <li>{@code rl-scoring}: after each rollout is scored (RewardScorer; the held-out decodes count too)</li>
 *   <li>{@code rl-update}: after each averaging round of an RL iteration's policy update</li>
 *   <li>{@code distill-topk}: after each teacher top-k forward batch</li>
 *   <li>{@code distill-pairs}: after each prompt whose candidates were sampled and ranked</li>
 *   <li>{@code distill-step}: after each distillation step (and its checkpoint, when one is due)</li>
 * </ul>
 */
public final class KillPoints {
    public static final String PROPERTY = "posttrain.test.kill-point";
    private static final Map<String, AtomicInteger> ARRIVALS = new ConcurrentHashMap<>();

    private KillPoints() {}

    public static void reach(String name) {
        String spec = System.getProperty(PROPERTY);
        if (spec == null) return;
        int at = spec.lastIndexOf('@');
        String target = at < 0 ? spec : spec.substring(0, at);
        int n = at < 0 ? 1 : Integer.parseInt(spec.substring(at + 1));
        if (!target.equals(name) || ARRIVALS.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet() != n) return;
        System.err.println("[kill-point] " + name + "@" + n + " reached");
        System.err.flush();
        while (true) {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                // Spark may interrupt the task thread; the point still holds until the process is killed.
            }
        }
    }
}
