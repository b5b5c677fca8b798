package ai.posttrain.reward;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs solution code against its tests through the trusted judge (sandbox/judge.py), which jails the
 * solution (sandbox/jail.sh: user, mount, PID, network, IPC and UTS namespaces, a tmpfs root with a private
 * copy of the Python installation read-only, a non-root uid, rlimits) and compares the calls' plain-data results outside the jail.
 * Runs at once per JVM are capped by {@link SandboxLimits#maxConcurrent()}; each holds a slot, whose number
 * picks the jail's host uid.
 */
public final class PythonSandbox implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final int MAX_RESULT_BYTES = 1 << 20;
    private static BlockingQueue<Integer> slots;   // JVM-wide: sized by the first sandbox that runs

    private final transient CodeIsolation fixedIsolation;   // the probe's own; else CodeIsolation.get
    private final String python;
    private final SandboxLimits limits;

    /** @param python the interpreter command on PATH, e.g. "python3" */
    public PythonSandbox(String python, SandboxLimits limits) {
        this.python = python;
        this.limits = limits;
        this.fixedIsolation = null;
    }

    PythonSandbox(CodeIsolation isolation, SandboxLimits limits) {
        this.python = isolation.python();
        this.limits = limits;
        this.fixedIsolation = isolation;
    }

    /** One test's outcome: status is pass, fail, error, timeout, not_run or unsupported. */
    public record TestOutcome(int index, String status, String message, double seconds) implements Serializable {}

    /**
     * Everything a run produced. {@code killedBy} is null when the jail finished on its own; {@code flags}
     * name what the solution tried (filesystem, network, process, exit, non_plain_value, forged_output, ...).
     */
    public record Run(String solutionStatus, String solutionMessage, List<TestOutcome> tests, List<String> flags,
                      List<String> violations, String killedBy, String output, String stderr, boolean isolated, long millis)
            implements Serializable {}

    public SandboxLimits limits() { return limits; }

    /** Where the OS cannot isolate and the user has not accepted the risk: the refusal line, else null. */
    public String refusal() {
        CodeIsolation iso = isolation();
        return iso.isolated() || limits.allowUnisolated() ? null : iso.refusal();
    }

    public Run run(String code, List<String> tests) throws IOException, InterruptedException {
        CodeIsolation iso = isolation();
        if (iso.scripts() == null) throw new IOException(iso.refusal());
        return run(code, tests, iso.isolated());
    }

    Run run(String code, List<String> tests, boolean isolated) throws IOException, InterruptedException {
        CodeIsolation iso = isolation();
        if (fixedIsolation != null) return judge(iso, code, tests, isolated, 0);   // the probe, before any other run
        BlockingQueue<Integer> pool = slots(limits.maxConcurrent());
        int slot = pool.take();
        try {
            return judge(iso, code, tests, isolated, slot);
        } finally {
            pool.put(slot);
        }
    }

    private CodeIsolation isolation() { return fixedIsolation != null ? fixedIsolation : CodeIsolation.get(python); }

    private static synchronized BlockingQueue<Integer> slots(int n) {
        if (slots == null) {
            slots = new ArrayBlockingQueue<>(n);
            for (int i = 0; i < n; i++) slots.add(i);
        }
        return slots;
    }

    private Run judge(CodeIsolation iso, String code, List<String> tests, boolean isolated, int slot)
            throws IOException, InterruptedException {
        long start = System.nanoTime();
        JsonObject req = new JsonObject();
        req.addProperty("solution", code);
        JsonArray t = new JsonArray();
        tests.forEach(t::add);
        req.add("tests", t);
        req.addProperty("slot", slot);
        req.addProperty("isolated", isolated);
        req.addProperty("resources", iso.scripts().toString());
        if (iso.image() != null) req.addProperty("image", iso.image().toString());
        JsonObject l = new JsonObject();
        l.addProperty("wall_millis", limits.wallClockMillis());
        l.addProperty("memory_bytes", limits.memoryBytes());
        l.addProperty("cpu_seconds", limits.cpuSeconds());
        l.addProperty("processes", limits.maxProcesses());
        l.addProperty("file_bytes", limits.maxFileBytes());
        l.addProperty("work_bytes", limits.workBytes());
        l.addProperty("open_files", SandboxLimits.OPEN_FILES);
        req.add("limits", l);

        // setpriv --pdeathsig: the judge (and through it the jail) dies with this JVM thread's process.
        ProcessBuilder pb = new ProcessBuilder("setpriv", "--pdeathsig=KILL", "--", iso.python(), "-I", "-S", "-B",
                iso.scripts().resolve("judge.py").toString()).redirectErrorStream(false);
        pb.environment().clear();   // no credentials or cluster settings reach the sandbox
        pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        pb.environment().put("LANG", "C.UTF-8");
        Process process = pb.start();
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write(req.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException ignored) {
            // the judge is already gone; its exit status tells why
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        Thread reader = drain(process.getInputStream(), out), errReader = drain(process.getErrorStream(), err);
        boolean finished = process.waitFor(limits.wallClockMillis() + 5_000, TimeUnit.MILLISECONDS);
        killGroup(process);   // the judge leads its process group; anything left in it goes
        reader.join(2000);
        errReader.join(500);
        long millis = (System.nanoTime() - start) / 1_000_000;
        String text;
        synchronized (out) { text = out.toString(StandardCharsets.UTF_8).strip(); }
        if (!finished || text.isEmpty()) {
            String why = !finished ? "timeout" : "judge failed: " + lastLine(err);
            List<TestOutcome> none = new ArrayList<>();
            for (int i = 0; i < tests.size(); i++) none.add(new TestOutcome(i, !finished ? "timeout" : "error", why, 0));
            return new Run("not_run", "", none, List.of(!finished ? "timeout" : "judge_error"), List.of(), why, "",
                    lastLine(err), isolated, millis);
        }
        return parse(new JsonParser().parse(text).getAsJsonObject(), isolated, millis);
    }

    private static Run parse(JsonObject r, boolean isolated, long millis) {
        List<TestOutcome> tests = new ArrayList<>();
        for (JsonElement e : r.getAsJsonArray("tests")) {
            JsonObject o = e.getAsJsonObject();
            tests.add(new TestOutcome(o.get("index").getAsInt(), o.get("status").getAsString(), o.get("message").getAsString(),
                    o.get("seconds").getAsDouble()));
        }
        return new Run(r.get("solution_status").getAsString(), r.get("solution_message").getAsString(), tests,
                strings(r.getAsJsonArray("flags")), strings(r.getAsJsonArray("violations")),
                r.get("killed_by").isJsonNull() ? null : r.get("killed_by").getAsString(),
                Completions.clip(r.get("output").getAsString(), 4000), r.get("stderr").getAsString(), isolated, millis);
    }

    private static List<String> strings(JsonArray a) {
        List<String> out = new ArrayList<>();
        a.forEach(e -> out.add(e.getAsString()));
        return List.copyOf(out);
    }

    private static String lastLine(ByteArrayOutputStream err) {
        String s;
        synchronized (err) { s = err.toString(StandardCharsets.UTF_8).strip(); }
        return s.lines().reduce((a, b) -> b).orElse("");
    }

    private static Thread drain(InputStream in, ByteArrayOutputStream into) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try (in) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    synchronized (into) {
                        if (into.size() < MAX_RESULT_BYTES) into.write(buf, 0, Math.min(n, MAX_RESULT_BYTES - into.size()));
                    }
                }
            } catch (IOException ignored) {
                // closed by the kill
            }
        }, "sandbox-reader");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void killGroup(Process process) throws InterruptedException {
        try {
            new ProcessBuilder("kill", "-KILL", "--", "-" + process.pid()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(2, TimeUnit.SECONDS);
        } catch (IOException ignored) {
            // no kill binary: the JVM's view of the tree below
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(2, TimeUnit.SECONDS);
    }
}
