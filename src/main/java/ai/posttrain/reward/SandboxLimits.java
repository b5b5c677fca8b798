package ai.posttrain.reward;

import java.io.Serializable;

/**
 * Limits for sandboxed Python runs (config {@code posttrain.reward.sandbox.*}).
 * @param wallClockMillis the judge kills the jail after this; the JVM kills the judge's group a little later
 * @param memoryBytes RLIMIT_AS of the jailed interpreter
 * @param cpuSeconds RLIMIT_CPU (SIGXCPU, then SIGKILL a second later)
 * @param maxProcesses RLIMIT_NPROC; the jail runs as its own non-root host uid per slot, so it holds exactly; 1 (the default):
 * the runner alone, so the per-process memory and CPU limits bound the whole solution
 * @param maxFileBytes RLIMIT_FSIZE
 * @param workBytes size of the jail's tmpfs (its root, /work and /tmp)
 * @param maxConcurrent runs at once per JVM (executor); each may use memoryBytes + workBytes
 * @param allowUnisolated run without OS isolation where the OS cannot provide it (an explicit risk)
 */
public record SandboxLimits(long wallClockMillis, long memoryBytes, int cpuSeconds, int maxProcesses, long maxFileBytes,
                            long workBytes, int maxConcurrent, boolean allowUnisolated) implements Serializable {
    public SandboxLimits(long wallClockMillis, long memoryBytes, int cpuSeconds, int maxProcesses, long maxFileBytes) {
        this(wallClockMillis, memoryBytes, cpuSeconds, maxProcesses, maxFileBytes, 16L << 20, 2, false);
    }

    /** The reference.conf defaults. */
    public static SandboxLimits defaults() { return new SandboxLimits(10_000, 512L << 20, 10, 1, 16L << 20, 32L << 20, 2, false); }

    /** Memory one executor must hold for its concurrent runs (address space plus tmpfs each). */
    public long executorBytes() { return maxConcurrent * (memoryBytes + workBytes); }
}
