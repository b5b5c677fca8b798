package ai.posttrain.reward;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs solution code and its tests in a fresh Python 3 process (see sandbox_harness.py for the in-process
 * guards): temp dir as cwd and HOME, an empty environment, rlimits, a wall-clock kill of the process group,
 * and a fresh network namespace ({@code unshare -rn}) when the OS allows it.
 */
public final class PythonSandbox implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final int MAX_PROTOCOL_BYTES = 1 << 20;
    private static volatile Interpreter interpreter; // resolved once per JVM

    private final String python;
    private final SandboxLimits limits;

    /** @param python the interpreter command on PATH, e.g. "python3" */
    public PythonSandbox(String python, SandboxLimits limits) {
        this.python = python;
        this.limits = limits;
    }

    /** One test's outcome: status is pass, fail, error, timeout or not_run. */
    public record TestOutcome(int index, String status, String message, double seconds) implements Serializable {}

    /** Everything a run produced. {@code killedBy} is null when the harness finished on its own. */
    public record Run(String solutionStatus, String solutionMessage, List<TestOutcome> tests, List<String> violations,
                      String killedBy, String output, boolean networkNamespace, long millis) implements Serializable {}

    public Run run(String code, List<String> tests) throws IOException, InterruptedException {
        Interpreter py = interpreter();
        Path work = Files.createTempDirectory("posttrain-sandbox-");
        long start = System.nanoTime();
        try {
            try (InputStream harness = PythonSandbox.class.getResourceAsStream("sandbox_harness.py")) {
                Files.copy(harness, work.resolve("harness.py"));
            }
            Files.writeString(work.resolve("solution.py"), code);
            com.google.gson.JsonArray json = new com.google.gson.JsonArray();
            tests.forEach(json::add);
            Files.writeString(work.resolve("tests.json"), json.toString());

            List<String> command = new ArrayList<>();
            if (py.unshare()) command.addAll(List.of("unshare", "-rn"));
            command.addAll(List.of(py.executable(), "-I", work.resolve("harness.py").toString(), work.toString(),
                    Long.toString(limits.memoryBytes()), Integer.toString(limits.cpuSeconds()),
                    Integer.toString(limits.maxProcesses()), Long.toString(limits.maxFileBytes())));
            ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile())
                    .redirectError(work.resolve("harness-stderr.txt").toFile());
            Map<String, String> env = pb.environment();
            env.clear(); // no credentials or cluster settings reach user code
            env.put("HOME", work.toString());
            env.put("TMPDIR", work.toString());
            env.put("PATH", "/usr/bin:/bin");
            env.put("LANG", "C.UTF-8");
            env.put("PYTHONDONTWRITEBYTECODE", "1");
            env.put("PYTHONHASHSEED", "0");

            String nonce = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
            Process process = pb.start();
            try (OutputStream stdin = process.getOutputStream()) {
                stdin.write((nonce + "\n").getBytes(StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // the process may already be gone; its exit status tells why
            }
            ByteArrayOutputStream protocol = new ByteArrayOutputStream();
            Thread reader = new Thread(() -> drain(process.getInputStream(), protocol), "sandbox-reader");
            reader.setDaemon(true);
            reader.start();

            boolean finished = process.waitFor(limits.wallClockMillis(), TimeUnit.MILLISECONDS);
            killGroup(process); // also reaps anything a finished run left behind
            if (!finished) process.waitFor(2, TimeUnit.SECONDS);
            reader.join(2000);
            String killedBy = finished ? signalName(process.exitValue()) : "timeout";
            return parse(protocol, nonce, tests.size(), killedBy, readOutput(work), py.unshare(), (System.nanoTime() - start) / 1_000_000);
        } finally {
            deleteTree(work);
        }
    }

    private Run parse(ByteArrayOutputStream protocol, String nonce, int testCount, String killedBy, String output,
                      boolean netns, long millis) {
        String prefix = nonce + " ";
        String solutionStatus = "not_run", solutionMessage = "";
        TestOutcome[] outcomes = new TestOutcome[testCount];
        List<String> violations = new ArrayList<>();
        boolean done = false;
        String text;
        synchronized (protocol) { text = protocol.toString(StandardCharsets.UTF_8); }
        for (String line : text.split("\n")) {
            if (!line.startsWith(prefix)) continue;
            JsonObject r;
            try { r = new JsonParser().parse(line.substring(prefix.length())).getAsJsonObject(); }
            catch (RuntimeException e) { continue; } // a record cut by the kill
            switch (r.get("event").getAsString()) {
                case "violation" -> violations.add(r.get("kind").getAsString() + ": " + r.get("detail").getAsString());
                case "solution" -> { solutionStatus = r.get("status").getAsString(); solutionMessage = r.get("message").getAsString(); }
                case "test" -> {
                    int i = r.get("index").getAsInt();
                    if (i >= 0 && i < testCount) outcomes[i] = new TestOutcome(i, r.get("status").getAsString(),
                            r.get("message").getAsString(), r.get("seconds").getAsDouble());
                }
                case "done" -> done = true;
                default -> { }
            }
        }
        if (killedBy == null && !done) killedBy = "exited early"; // e.g. os._exit() in user code
        String missing = killedBy == null ? "not_run" : (killedBy.equals("timeout") ? "timeout" : "error");
        List<TestOutcome> tests = new ArrayList<>();
        for (int i = 0; i < testCount; i++) {
            tests.add(outcomes[i] != null ? outcomes[i] : new TestOutcome(i, missing, killedBy == null ? "" : killedBy, 0));
        }
        return new Run(solutionStatus, solutionMessage, tests, violations, killedBy, output, netns, millis);
    }

    private static void drain(InputStream in, ByteArrayOutputStream into) {
        byte[] buf = new byte[8192];
        try (in) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                synchronized (into) {
                    if (into.size() < MAX_PROTOCOL_BYTES) into.write(buf, 0, Math.min(n, MAX_PROTOCOL_BYTES - into.size()));
                }
            }
        } catch (IOException ignored) {
            // stream closed by the kill
        }
    }

    /** The harness makes itself a process-group leader, so "kill -KILL -pid" takes its children with it. */
    private static void killGroup(Process process) throws InterruptedException {
        try {
            new ProcessBuilder("kill", "-KILL", "--", "-" + process.pid()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(2, TimeUnit.SECONDS);
        } catch (IOException ignored) {
            // no kill binary: fall back to the JVM's view of the tree
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** Linux reports death by signal as 128 + signal number. */
    private static String signalName(int exit) {
        return switch (exit) {
            case 0 -> null;
            case 128 + 24 -> "cpu time limit (SIGXCPU)";
            case 128 + 9 -> "killed (SIGKILL)";
            case 128 + 11 -> "crashed (SIGSEGV)";
            case 128 + 25 -> "file size limit (SIGXFSZ)";
            default -> "exit status " + exit;
        };
    }

    private static String readOutput(Path work) {
        try {
            byte[] out = Files.readAllBytes(work.resolve("output.txt"));
            String err = Files.readString(work.resolve("harness-stderr.txt"));
            String text = new String(out, 0, Math.min(out.length, 4000), StandardCharsets.UTF_8) + err;
            return Completions.clip(text, 4000);
        } catch (IOException e) {
            return "";
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temp dir is not worth failing a verification for
        }
    }

    /** The real interpreter path (shims such as pyenv's need a HOME we do not pass) and unshare support. */
    private record Interpreter(String executable, boolean unshare) {}

    private Interpreter interpreter() throws IOException, InterruptedException {
        Interpreter py = interpreter;
        if (py != null) return py;
        synchronized (PythonSandbox.class) {
            if (interpreter != null) return interpreter;
            Process p = new ProcessBuilder(python, "-c", "import sys; print(sys.executable)").redirectErrorStream(true).start();
            String exe = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0 || exe.isEmpty()) {
                throw new IOException("cannot run '" + python + "': " + exe);
            }
            boolean unshare;
            try {
                Process u = new ProcessBuilder("unshare", "-rn", exe, "-c", "pass").redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                unshare = u.waitFor(10, TimeUnit.SECONDS) && u.exitValue() == 0;
            } catch (IOException e) {
                unshare = false;
            }
            interpreter = new Interpreter(exe, unshare);
            return interpreter;
        }
    }
}
