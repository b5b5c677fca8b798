package ai.posttrain.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Spark standalone cluster on 127.0.0.1: one Master and N Worker JVMs started from a Spark
 * home made of this project's own Spark jars. The home is laid out like a Spark distribution
 * ({@code jars/} and {@code bin/spark-submit}), so workers launch executors and spark-submit builds
 * its driver command exactly as they do from a real installation. The application's own libraries
 * (DL4J, ND4J, …) are left out of {@code jars/}: executors get them only from the submitted jar.
 */
final class StandaloneCluster implements AutoCloseable {
    /** Local-repository folders of the application's libraries, which a Spark distribution does not have. */
    private static final List<String> APPLICATION_LIBRARIES = List.of("/org/deeplearning4j/", "/org/nd4j/",
            "/org/datavec/", "/org/bytedeco/", "/ai/djl/", "/com/typesafe/config/");
    /** Test-only jars (JUnit, Surefire/Failsafe). */
    private static final List<String> TEST_LIBRARIES = List.of("/org/junit/", "/org/opentest4j/", "/org/apiguardian/",
            "/org/apache/maven/");

    private final Path dir;
    final Path sparkHome;
    final int masterPort;
    final int masterWebUi;
    private final List<Process> processes = new ArrayList<>();
    private final List<Path> logs = new ArrayList<>();

    private StandaloneCluster(Path dir) throws IOException {
        this.dir = dir;
        this.sparkHome = dir.resolve("spark-home");
        this.masterPort = freePort();
        this.masterWebUi = freePort();
    }

    /** Starts the Master and {@code workers} Workers (each with {@code cores} cores and {@code memory}) and waits until all registered. */
    static StandaloneCluster start(Path dir, int workers, int cores, String memory) throws Exception {
        StandaloneCluster cluster = new StandaloneCluster(dir);
        try {
            cluster.layOutSparkHome();
            cluster.launch("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                    "--port", String.valueOf(cluster.masterPort), "--webui-port", String.valueOf(cluster.masterWebUi));
            for (int i = 0; i < workers; i++) {
                Path work = Files.createDirectories(dir.resolve("worker-" + i));
                cluster.launch("worker-" + i, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                        "--port", String.valueOf(freePort()), "--webui-port", String.valueOf(freePort()),
                        "--cores", String.valueOf(cores), "--memory", memory, "--work-dir", work.toString(),
                        cluster.masterUrl());
            }
            cluster.awaitWorkers(workers, TimeUnit.SECONDS.toNanos(90));
            return cluster;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    String masterUrl() { return "spark://127.0.0.1:" + masterPort; }

    /** The environment every process of the cluster (and the submitting shell) runs with. */
    Map<String, String> environment() {
        return Map.of("JAVA_HOME", System.getProperty("java.home"), "SPARK_HOME", sparkHome.toString(), "SPARK_LOCAL_IP", "127.0.0.1", "SPARK_SCALA_VERSION", "2.12",
                "OMP_NUM_THREADS", "1", "SPARK_CONF_DIR", sparkHome.resolve("conf").toString());
    }

    /** The Master's state: {@code aliveworkers}, {@code activeapps}, {@code completedapps}, … */
    JsonNode masterState() throws IOException {
        try (var in = URI.create("http://127.0.0.1:" + masterWebUi + "/json").toURL().openStream()) {
            return new ObjectMapper().readTree(in);
        }
    }

    /** The last lines of every cluster process's log and of every executor's stderr, for failure messages. */
    String logTails() {
        StringBuilder out = new StringBuilder();
        List<Path> all = new ArrayList<>(logs);
        try (Stream<Path> files = Files.walk(dir)) {
            files.filter(p -> p.getFileName().toString().equals("stderr") && p.toString().contains("/worker-")).forEach(all::add);
        } catch (IOException | UncheckedIOException e) {
            out.append("(cannot list executor logs: ").append(e.getMessage()).append(")\n");
        }
        for (Path log : all) out.append("==> ").append(log).append(" <==\n").append(errors(log)).append(tail(log, 15));
        return out.toString();
    }

    /** The first lines of a log that report an exception or error (stack frames left out). */
    static String errors(Path file) {
        try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
            List<String> found = lines.filter(l -> !l.startsWith("\tat ") && (l.contains("Exception") || l.contains("Error")
                    || l.startsWith("Caused by"))).limit(20).toList();
            return found.isEmpty() ? "" : String.join("\n", found) + "\n...\n";
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")\n";
        }
    }

    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size())) + "\n";
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")\n";
        }
    }

    /** Kills every process of the cluster, executors included (children first), and waits for them. */
    @Override
    public void close() {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Process p : processes) {
            try {
                p.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void layOutSparkHome() throws IOException {
        Path jars = Files.createDirectories(sparkHome.resolve("jars"));
        Files.createDirectories(sparkHome.resolve("conf"));
        Path project = Path.of("").toAbsolutePath();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            // Our own classes and jars (target/) come only from the submitted jar.
            if (!entry.endsWith(".jar") || Path.of(entry).toAbsolutePath().startsWith(project)) continue;
            if (APPLICATION_LIBRARIES.stream().anyMatch(entry::contains) || TEST_LIBRARIES.stream().anyMatch(entry::contains)) continue;
            Path jar = Path.of(entry);
            Path link = jars.resolve(jar.getFileName());
            if (!Files.exists(link)) Files.createSymbolicLink(link, jar);
        }
        Path bin = Files.createDirectories(sparkHome.resolve("bin"));
        Path submit = bin.resolve("spark-submit");
        try (var script = StandaloneCluster.class.getResourceAsStream("spark-submit")) {
            if (script == null) throw new IOException("the test resource ai/posttrain/cluster/spark-submit is missing");
            Files.copy(script, submit, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.setPosixFilePermissions(submit, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private void launch(String name, String mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-Xmx256m", "@submit/java-opens.txt",
                "-cp", sparkHome.resolve("jars") + "/*", mainClass));
        command.addAll(List.of(args));
        Path log = dir.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment());
        processes.add(builder.start());
        logs.add(log);
    }

    private void awaitWorkers(int workers, long timeoutNanos) throws Exception {
        long deadline = System.nanoTime() + timeoutNanos;
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            for (Process p : processes) {
                if (!p.isAlive()) throw new IllegalStateException("a cluster process exited early:\n" + logTails());
            }
            try {
                JsonNode state = masterState();
                last = state.toString();
                if (state.path("aliveworkers").asInt() == workers) return;
            } catch (IOException e) {
                last = e.toString();   // the Master's web UI is not up yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("workers did not register with the master in time (" + last + "):\n" + logTails());
    }

    static String javaBinary() { return ProcessHandle.current().info().command().orElse("java"); }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
