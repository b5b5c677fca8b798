package ai.posttrain.model;

import org.bytedeco.javacpp.Pointer;

/**
 * Keeps ND4J's off-heap garbage bounded. ND4J frees an array's memory only once the Java object owning it is
 * collected, and a near-empty heap gives the collector no reason to run, so without a guard off-heap memory
 * fills the machine. JavaCPP's own guard ({@code org.bytedeco.javacpp.maxphysicalbytes}, by default twice the
 * heap; the launchers set it to 0) reads the process's resident size on every native allocation, which was 25-40 % of the KV-cached sampler's time ({@code bench},
 * unbatched sampling 327-444 tokens/s with it, 564-569 without). This guard reads it every
 * {@value #PERIOD_MS} ms on one daemon thread per JVM instead, and asks for a collection while the process holds
 * more than half its cap, at most once every 2 s (freed memory mostly stays in the process: its resident size need
 * not fall after a collection, so a rising threshold let one run grow to the machine's 24 GiB), and at every poll
 * past 90 % of the cap, as JavaCPP does at its own.
 *
 * <p>The cap is {@code -D}{@value #CAP_PROPERTY} (e.g. {@code 12g}), else JavaCPP's maxphysicalbytes when set,
 * else three quarters of the machine's memory. Started by the driver and by any JVM that builds a model layer
 * or a sampler (executors), see {@link LayerWorkspaces}.
 */
public final class OffHeapGuard {
    /** The JVM's physical memory cap (bytes, or with a k/m/g suffix). */
    public static final String CAP_PROPERTY = "posttrain.physical-memory-cap";
    static final long PERIOD_MS = 20;
    /** Above half the cap, at most one collection per this much time (each costs about 0.1 s). */
    static final long CALM_NANOS = 2_000_000_000L;

    private static volatile Thread thread;

    private OffHeapGuard() {}

    /** Starts the guard once per JVM; later calls do nothing. */
    public static void start() {
        if (thread != null) return;
        synchronized (OffHeapGuard.class) {
            if (thread != null) return;
            long cap = cap();
            Thread t = new Thread(() -> watch(cap), "posttrain-offheap-guard");
            t.setDaemon(true);
            t.start();
            thread = t;
        }
    }

    /** The cap this JVM's guard keeps the process under. */
    public static long cap() {
        String value = System.getProperty(CAP_PROPERTY);
        if (value != null && !value.isBlank()) {
            try {
                return Pointer.parseBytes(value.trim(), Pointer.totalPhysicalBytes());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a size (e.g. 12g, 4096m): " + value);
            }
        }
        if (Pointer.maxPhysicalBytes() > 0) return Pointer.maxPhysicalBytes();
        return Pointer.totalPhysicalBytes() / 4 * 3;
    }

    private static void watch(long cap) {
        long lastCollection = System.nanoTime();
        while (true) {
            try {
                Thread.sleep(PERIOD_MS);
            } catch (InterruptedException e) {
                return;
            }
            long now = Pointer.physicalBytes();
            boolean nearCap = now > cap / 10 * 9;
            boolean overHalf = now > cap / 2 && System.nanoTime() - lastCollection > CALM_NANOS;
            if (nearCap || overHalf) {
                System.gc();
                lastCollection = System.nanoTime();
            }
        }
    }
}
