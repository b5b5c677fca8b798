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
 * @param maxConcurrent runs at once per JVM (executor); each may hold {@link #memoryPerRun()}
 * @param allowUnisolated run without OS isolation where the OS cannot provide it (an explicit risk)
 */
public record SandboxLimits(long wallClockMillis, long memoryBytes, int cpuSeconds, int maxProcesses, long maxFileBytes,
                            long workBytes, int maxConcurrent, boolean allowUnisolated) implements Serializable {
    public SandboxLimits(long wallClockMillis, long memoryBytes, int cpuSeconds, int maxProcesses, long maxFileBytes) {
        this(wallClockMillis, memoryBytes, cpuSeconds, maxProcesses, maxFileBytes, 16L << 20, 2, false);
    }

    /** The reference.conf defaults. */
    public static SandboxLimits defaults() { return new SandboxLimits(10_000, 512L << 20, 10, 1, 16L << 20, 32L << 20, 2, false); }

    /**
     * RLIMIT_NOFILE of the jailed interpreter. In-memory files (memfd_create) hold pages no address-space limit or tmpfs
     * size counts, each at most maxFileBytes: with 64 descriptors a solution held 960 MiB that way under a 512 MiB limit.
     */
    public static final int OPEN_FILES = 16;

    /** The most memory one run can hold: its address space, its tmpfs, and an in-memory file per descriptor. */
    public long memoryPerRun() { return memoryBytes + workBytes + OPEN_FILES * maxFileBytes; }
}
