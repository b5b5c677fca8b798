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
 * sandbox scripts, copied out of the jar once, and the jails' filesystem image (sandbox/image.py): the
 * interpreter and its libraries copied once to /dev/shm, so that no jail reads a file whose page cache it
 * shares with the host (evicting and timing cached pages would be a channel from one jail to the next).
 */
public final class CodeIsolation {
    public static final String ALLOW_KEY = "posttrain.reward.sandbox.allow-unisolated";
    private static volatile CodeIsolation probed;

    private static final Path SHARED_MEMORY = Path.of("/dev/shm");
    private static final String IMAGE_PREFIX = "posttrain-image-";

    /** {@code problem}: null when isolation works, else one line naming what is missing. */
    private final String python, problem;
    private final Path scripts;
    /** The jails' filesystem image; null: they bind the host's Python installation and system libraries. */
    private final Path image;

    private CodeIsolation(String python, Path scripts, Path image, String problem) {
        this.python = python;
        this.scripts = scripts;
        this.image = image;
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

    Path image() { return image; }

    /** This sandbox as it runs where no image can be built: the jails bind the host's installation. */
    CodeIsolation hostFiles() { return new CodeIsolation(python, scripts, null, problem); }

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
            for (String f : List.of("judge.py", "runner.py", "jail.sh", "image.py")) {
                try (InputStream in = CodeIsolation.class.getResourceAsStream("sandbox/" + f)) {
                    Path to = scripts.resolve(f);
                    Files.copy(in, to);
                    to.toFile().deleteOnExit();
                }
            }
            exe = realExecutable(pythonCommand);
        } catch (IOException | RuntimeException e) {
            return new CodeIsolation(pythonCommand, null, null, "cannot prepare the Python sandbox: " + e.getMessage());
        }
        for (String tool : List.of("unshare", "setpriv", "timeout", "mount", "pivot_root")) {
            if (!onPath(tool)) return new CodeIsolation(exe, scripts, null, "'" + tool + "' not found on PATH");
        }
        Path image = null;
        String imageProblem;
        try {
            image = buildImage(exe, scripts);
            CodeIsolation withImage = tryJail(new CodeIsolation(exe, scripts, image, null));
            if (withImage.isolated()) return withImage;
            imageProblem = withImage.problem;
        } catch (IOException e) {
            imageProblem = e.getMessage();
        }
        if (image != null) deleteTree(image);
        CodeIsolation hostFiles = tryJail(new CodeIsolation(exe, scripts, null, null));
        if (hostFiles.isolated())
            System.err.println("posttrain: code sandbox: no private image for the jails (" + imageProblem + "); they read"
                    + " the host's Python installation, whose page cache is a known channel between jails");
        return hostFiles;
    }

    /** The candidate if it jails a trivial solution, else the same sandbox with the reason it cannot. */
    private static CodeIsolation tryJail(CodeIsolation candidate) {
        String exe = candidate.python;
        Path scripts = candidate.scripts, image = candidate.image;
        try {
            PythonSandbox.Run run = new PythonSandbox(candidate, new SandboxLimits(20_000, 256L << 20, 10, 16, 1L << 20))
                    .run("def probe():\n    return 1\n", List.of("assert probe() == 1"), true);
            if (run.tests().get(0).status().equals("pass")) return candidate;
            String why = run.stderr().isBlank() ? String.valueOf(run.killedBy()) : run.stderr().strip().lines().reduce((a, b) -> b).orElse("");
            return new CodeIsolation(exe, scripts, image, "jailing a trivial solution failed (" + why + ")");
        } catch (IOException | RuntimeException e) {
            return new CodeIsolation(exe, scripts, image, "jailing a trivial solution failed (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new CodeIsolation(exe, scripts, image, "interrupted while probing the sandbox");
        }
    }

    /**
     * Copies the interpreter, its standard library and the libraries they load to a new directory on the
     * /dev/shm tmpfs (sandbox/image.py), removed when this JVM exits; images left by JVMs that died are removed first.
     */
    private static Path buildImage(String exe, Path scripts) throws IOException {
        if (!Files.isDirectory(SHARED_MEMORY) || !Files.isWritable(SHARED_MEMORY)
                || !Files.getFileStore(SHARED_MEMORY).type().equals("tmpfs"))
            throw new IOException(SHARED_MEMORY + " is not a writable tmpfs");
        try (var stale = Files.newDirectoryStream(SHARED_MEMORY, IMAGE_PREFIX + "*")) {
            for (Path p : stale) {
                String[] parts = p.getFileName().toString().substring(IMAGE_PREFIX.length()).split("-");
                if (parts[0].matches("[0-9]+") && ProcessHandle.of(Long.parseLong(parts[0])).isEmpty()) deleteTree(p);
            }
        }
        Path dir = Files.createTempDirectory(SHARED_MEMORY, IMAGE_PREFIX + ProcessHandle.current().pid() + "-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir), "sandbox-image-cleanup"));
        try {
            Process p = new ProcessBuilder(exe, "-I", "-S", "-B", scripts.resolve("image.py").toString(), dir.toString())
                    .redirectErrorStream(true).start();
            // its output is one line, or a traceback: well within the pipe's buffer while it runs
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("building the image took over 120 s");
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.exitValue() != 0) throw new IOException("building the image failed: " + out.lines().reduce((a, b) -> b).orElse(""));
            return dir;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while building the image");
        } catch (IOException e) {
            deleteTree(dir);
            throw e;
        }
    }

    private static void deleteTree(Path root) {
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | java.io.UncheckedIOException ignored) {
            // already gone, or another JVM's: nothing of ours to free
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
