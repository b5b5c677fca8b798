package ai.posttrain.model;

import org.bytedeco.javacpp.Pointer;

import java.lang.reflect.Method;

/**
 * Keeps the process's resident memory under a cap without JavaCPP's per-allocation check. ND4J frees an array's
 * memory only once the Java object owning it is collected, and the C allocator keeps freed memory in the process
 * until it is trimmed. JavaCPP's guard ({@code org.bytedeco.javacpp.maxphysicalbytes}) reads the resident size on
 * every native allocation, and ND4J makes several per op: {@code bench} sampled 1390 -> 2048 tokens/s and the
 * default pipeline's RL stem iteration took 10.8 -> 7.8 s without it. This guard reads it every
 * {@value #PERIOD_MS} ms on one daemon thread per JVM. Above half the cap it collects and then trims the C heap (as
 * JavaCPP does), at most once a second; above 90 % at every poll. Without the trim, collected memory stayed in the
 * process: an earlier guard that only collected sat near its cap and collected at every poll.
 * JavaCPP's {@code maxbytes} (a counter of live native bytes, cheap) stays on as the hard limit.
 *
 * <p>The cap is {@code -D}{@value #CAP_PROPERTY} (e.g. {@code 12g}), else JavaCPP's maxphysicalbytes when set,
 * else three quarters of the machine's memory. Started by the CLI and by any JVM that builds a model layer
 * (executors), see {@link LayerWorkspaces}.
 */
public final class OffHeapGuard {
    /** The JVM's physical memory cap (bytes, or with a k/m/g suffix). */
    public static final String CAP_PROPERTY = "posttrain.physical-memory-cap";
    static final long PERIOD_MS = 100;
    /** Between half the cap and 90 % of it, at most one collection per this much time (each costs about 0.1 s). */
    static final long CALM_NANOS = 1_000_000_000L;

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

    /** JavaCPP's trim of the C heap (malloc_trim), private in JavaCPP 1.5.7 though its own guard calls it. */
    private static final Method TRIM = trimMethod();

    private static Method trimMethod() {
        try {
            Method m = Pointer.class.getDeclaredMethod("trimMemory");
            m.setAccessible(true);
            return m;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;   // another JavaCPP: collections alone, as before
        }
    }

    /** Returns the C heap's free pages to the OS; false where it cannot. */
    static boolean trimCHeap() {
        if (TRIM == null) return false;
        try {
            return Boolean.TRUE.equals(TRIM.invoke(null));
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }

    private static void watch(long cap) {
        long lastCollection = System.nanoTime();
        while (true) {
            try {
                Thread.sleep(PERIOD_MS);
                long now = Pointer.physicalBytes();
                boolean nearCap = now > cap / 10 * 9;
                boolean overHalf = now > cap / 2 && System.nanoTime() - lastCollection > CALM_NANOS;
                if (nearCap || overHalf) {
                    System.gc();
                    Thread.sleep(PERIOD_MS / 2);   // ND4J's deallocator threads free what the collection found
                    trimCHeap();
                    lastCollection = System.nanoTime();
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
