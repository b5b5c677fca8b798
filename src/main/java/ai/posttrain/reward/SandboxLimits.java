package ai.posttrain.reward;

import java.io.Serializable;

/**
 * Limits for one sandboxed Python run.
 * @param wallClockMillis the JVM kills the whole process group after this
 * @param memoryBytes RLIMIT_AS (address space) of the Python process
 * @param cpuSeconds RLIMIT_CPU (the kernel sends SIGXCPU, then SIGKILL)
 * @param maxProcesses RLIMIT_NPROC (per user; the kernel ignores it for root)
 * @param maxFileBytes RLIMIT_FSIZE
 */
public record SandboxLimits(long wallClockMillis, long memoryBytes, int cpuSeconds, int maxProcesses, long maxFileBytes)
        implements Serializable {
    public static SandboxLimits defaults() { return new SandboxLimits(10_000, 512L << 20, 10, 64, 16L << 20); }
}
