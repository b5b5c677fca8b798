package ai.posttrain.reward;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a verifier (or the reward model) with a deadline: past it the caller gets a flagged zero
 * ({@code verifier_timeout:<name>}) and goes on. The work runs on a per-JVM pool of at most {@code maxThreads}
 * daemon threads: a stuck pure-Java verifier (a regex backtracking on a hostile input) cannot be killed, only
 * abandoned, so its thread stays taken until it returns; the cap keeps such threads from piling up without
 * bound. With every thread taken a call is refused at once, flagged {@code verifier_busy:<name>}, and the
 * count of threads stuck past their deadline is in the reason.
 */
public final class VerifierDeadline implements Serializable {
    private static final long serialVersionUID = 1L;
    /**
     * Idle threads are reused; the cap is on threads at work (permits, one per cap: a JVM normally has one
     * configuration). A SynchronousQueue pool capped at its maximum size would refuse a call in the instant
     * between a thread's last result and its next wait, so the cap is counted here instead.
     */
    private static final ThreadPoolExecutor POOL = newPool();
    private static final Map<Integer, java.util.concurrent.Semaphore> PERMITS = new java.util.concurrent.ConcurrentHashMap<>();
    private static final AtomicInteger STUCK = new AtomicInteger();
    private static final int RUNNING = 0, FINISHED = 1, ABANDONED = 2;

    private final long timeoutMillis;
    private final int maxThreads;

    /** {@code maxThreads}: the cap of the JVM's pool of verifier threads. */
    public VerifierDeadline(long timeoutMillis, int maxThreads) {
        if (timeoutMillis < 1 || maxThreads < 1) throw new IllegalArgumentException("timeout and threads must be positive");
        this.timeoutMillis = timeoutMillis;
        this.maxThreads = maxThreads;
    }

    /** The reference.conf defaults. */
    public static VerifierDeadline defaults() { return new VerifierDeadline(5_000, 64); }

    public long timeoutMillis() { return timeoutMillis; }

    /** What a timed call gave: its value, or a flag ({@code verifier_timeout:<name>}, ...) and why, in words. */
    public record Outcome<T>(T value, String flag, String reason) {
        public boolean ok() { return flag == null; }
    }

    /** A verifier's result, or a flagged zero when it misses the deadline (or fails, or no thread is free). */
    public VerifierResult verify(String name, Callable<VerifierResult> verifier) {
        Outcome<VerifierResult> o = call(name, timeoutMillis, verifier);
        return o.ok() ? o.value() : new VerifierResult(0.0, false, o.reason(), Map.of("flags", List.of(o.flag())));
    }

    /** Runs {@code work} with {@code budgetMillis} to finish. */
    public <T> Outcome<T> call(String name, long budgetMillis, Callable<T> work) {
        AtomicInteger state = new AtomicInteger(RUNNING);
        java.util.concurrent.Semaphore permits = PERMITS.computeIfAbsent(maxThreads, java.util.concurrent.Semaphore::new);
        Future<T> future;
        try {
            if (!permits.tryAcquire()) throw new RejectedExecutionException();
            try {
                future = POOL.submit(() -> {
                    try {
                        return work.call();
                    } finally {
                        // A call abandoned at its deadline counted as stuck until now.
                        if (!state.compareAndSet(RUNNING, FINISHED)) STUCK.decrementAndGet();
                        permits.release();
                    }
                });
            } catch (RejectedExecutionException e) {
                permits.release();
                throw e;
            }
        } catch (RejectedExecutionException e) {
            return new Outcome<>(null, "verifier_busy:" + name, "all " + maxThreads
                    + " verifier threads of this JVM are taken (" + STUCK.get() + " stuck past their deadline)");
        }
        try {
            return new Outcome<>(future.get(budgetMillis, TimeUnit.MILLISECONDS), null, null);
        } catch (TimeoutException e) {
            if (!state.compareAndSet(RUNNING, ABANDONED)) return call(future, name);   // it finished just now
            STUCK.incrementAndGet();
            future.cancel(true);   // interrupts it; pure Java work may go on regardless
            return new Outcome<>(null, "verifier_timeout:" + name, "no verdict after "
                    + budgetMillis + " ms (" + STUCK.get() + " verifier threads stuck in this JVM)");
        } catch (ExecutionException e) {
            return new Outcome<>(null, "verifier_error", name + " verifier error: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(true);
            return new Outcome<>(null, "verifier_error", name + " verifier interrupted");
        }
    }

    private static <T> Outcome<T> call(Future<T> finished, String name) {
        try {
            return new Outcome<>(finished.get(), null, null);
        } catch (ExecutionException | InterruptedException e) {
            return new Outcome<>(null, "verifier_error", name + " verifier error: " + e);
        }
    }

    /** Threads abandoned at their deadline and still running, in this JVM. */
    public static int stuckThreads() { return STUCK.get(); }

    private static ThreadPoolExecutor newPool() {
        AtomicInteger n = new AtomicInteger();
        return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "verifier-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }
}
