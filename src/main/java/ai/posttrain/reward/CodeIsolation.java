package ai.posttrain.reward;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Whether this JVM can jail Python (user, mount, PID, network, IPC and UTS namespaces via util-linux
 * {@code unshare}; see sandbox/jail.sh), probed once by jailing a trivial solution. Also holds the
 * sandbox scripts, copied out of the jar once.
 */
public final class CodeIsolation {
    public static final String ALLOW_KEY = "posttrain.reward.sandbox.allow-unisolated";
    private static volatile CodeIsolation probed;

    /** {@code problem}: null when isolation works, else one line naming what is missing. */
    private final String python, problem;
    private final Path scripts;

    private CodeIsolation(String python, Path scripts, String problem) {
        this.python = python;
        this.scripts = scripts;
        this.problem = problem;
    }

    public static CodeIsolation get(String pythonCommand) {
        CodeIsolation c = probed;
        if (c != null) return c;
        synchronized (CodeIsolation.class) {
            if (probed == null) probed = probe(pythonCommand);
            return probed;
        }
    }

    public boolean isolated() { return problem == null; }

    String python() { return python; }

    Path scripts() { return scripts; }

    /** The one line a code reward refuses with. */
    public String refusal() {
        return "code sandbox unavailable: " + problem + " (install util-linux and allow user namespaces, or set "
                + ALLOW_KEY + "=true to run solutions without OS isolation at your own risk)";
    }

    private static CodeIsolation probe(String pythonCommand) {
        Path scripts;
        String exe;
        try {
            scripts = Files.createTempDirectory("posttrain-sandbox-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            scripts.toFile().deleteOnExit();
            for (String f : List.of("judge.py", "runner.py", "jail.sh")) {
                try (InputStream in = CodeIsolation.class.getResourceAsStream("sandbox/" + f)) {
                    Path to = scripts.resolve(f);
                    Files.copy(in, to);
                    to.toFile().deleteOnExit();
                }
            }
            exe = realExecutable(pythonCommand);
        } catch (IOException | RuntimeException e) {
            return new CodeIsolation(pythonCommand, null, "cannot prepare the Python sandbox: " + e.getMessage());
        }
        for (String tool : List.of("unshare", "setpriv", "timeout", "mount", "pivot_root")) {
            if (!onPath(tool)) return new CodeIsolation(exe, scripts, "'" + tool + "' not found on PATH");
        }
        CodeIsolation candidate = new CodeIsolation(exe, scripts, null);
        try {
            PythonSandbox.Run run = new PythonSandbox(candidate, new SandboxLimits(20_000, 256L << 20, 10, 16, 1L << 20))
                    .run("def probe():\n    return 1\n", List.of("assert probe() == 1"), true);
            if (run.tests().get(0).status().equals("pass")) return candidate;
            String why = run.stderr().isBlank() ? String.valueOf(run.killedBy()) : run.stderr().strip().lines().reduce((a, b) -> b).orElse("");
            return new CodeIsolation(exe, scripts, "jailing a trivial solution failed (" + why + ")");
        } catch (IOException | RuntimeException e) {
            return new CodeIsolation(exe, scripts, "jailing a trivial solution failed (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new CodeIsolation(exe, scripts, "interrupted while probing the sandbox");
        }
    }

    /** The real interpreter path (shims such as pyenv's need a HOME the sandbox does not pass). */
    private static String realExecutable(String python) throws IOException {
        try {
            Process p = new ProcessBuilder(python, "-c", "import sys; print(sys.executable)").redirectErrorStream(true).start();
            String exe = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0 || exe.isEmpty()) throw new IOException("cannot run '" + python + "': " + exe);
            return exe;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":"))
            if (Files.isExecutable(Path.of(dir, tool))) return true;
        for (String dir : List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"))
            if (Files.isExecutable(Path.of(dir, tool))) return true;
        return false;
    }
}
