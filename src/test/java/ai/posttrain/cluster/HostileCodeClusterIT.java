package ai.posttrain.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Hostile code on the standalone cluster's executors: one application (HostileCodeClusterDriver, submitted
 * with spark-submit and the cluster jar) scores canned hostile solutions with the code sub-stage's reward
 * mix on the executors' jails, then runs the RL code sub-stage, whose iteration scores the built-in canaries (hostile
 * completions) beside the policy's samples. Each attack is a zero (flagged where it
 * tried something), the honest solution scores, nothing reached the host, and the sub-stage completes.
 */
class HostileCodeClusterIT {
    @Test
    void hostileCompletionsAreFlaggedZerosOnTheExecutorsAndTheCodeSubStageGoesOn(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir)
            throws Exception {
        Path jar = Path.of(System.getProperty("cluster.jar", "target/spark-posttrain-0.1.0-SNAPSHOT-cluster.jar"));
        assertTrue(Files.isRegularFile(jar), "no cluster jar at " + jar + ": run mvn -Pcluster verify");
        Path result = dir.resolve("result.json"), marker = dir.resolve("pwned-by-hostile-code"), run = dir.resolve("run");
        Path driverLog = dir.resolve("driver.log");
        String jvmFlags = String.join(" ", Files.readAllLines(Path.of("submit/java-opens.txt")).stream()
                .filter(l -> !l.startsWith("#") && !l.isBlank()).toList());

        long t0 = System.nanoTime();
        try (StandaloneCluster cluster = StandaloneCluster.start(dir, 2, 1, "3g")) {
            // What submit/spark-submit.sh passes, with the test's driver class (test classes on the driver only).
            List<String> command = new ArrayList<>(List.of(cluster.sparkHome.resolve("bin/spark-submit").toString(),
                    "--master", cluster.masterUrl(), "--deploy-mode", "client",
                    "--class", "ai.posttrain.rollout.HostileCodeClusterDriver", "--name", "hostile-code",
                    // The driver class is loaded by the system class loader, so the jar it uses must be there too.
                    "--driver-class-path", jar.toAbsolutePath() + ":" + Path.of("target/test-classes").toAbsolutePath(),
                    "--driver-memory", "1g", "--driver-java-options", jvmFlags,
                    "--executor-memory", "1536m", "--executor-cores", "1", "--total-executor-cores", "2",
                    "--conf", "spark.executor.extraJavaOptions=" + jvmFlags, "--conf", "spark.executorEnv.OMP_NUM_THREADS=1",
                    jar.toAbsolutePath().toString(),
                    result.toString(), marker.toString(), run.toString(), Path.of("conf/quick.conf").toAbsolutePath().toString()));
            ProcessBuilder submit = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(driverLog.toFile());
            submit.environment().putAll(cluster.environment());
            Process driver = submit.start();
            try {
                boolean finished = driver.waitFor(10, TimeUnit.MINUTES);
                String log = "(logs kept in " + dir + ")\n" + StandaloneCluster.errors(driverLog) + StandaloneCluster.tail(driverLog, 40);
                assertTrue(finished, "the application did not finish in 10 minutes:\n" + log + cluster.logTails());
                assertEquals(0, driver.exitValue(), "spark-submit failed:\n" + log + cluster.logTails());
            } finally {
                driver.descendants().forEach(ProcessHandle::destroyForcibly);
                driver.destroyForcibly().waitFor();
            }
            JsonNode apps = cluster.masterState().path("completedapps");
            assertEquals(1, apps.size(), apps.toString());
            for (int w = 0; w < 2; w++) {
                try (var appDirs = Files.list(dir.resolve("worker-" + w))) {
                    assertEquals(1, appDirs.filter(p -> p.getFileName().toString().startsWith("app-")).count(), "worker " + w + " ran no executor");
                }
            }
        }
        System.out.printf("hostile code on the cluster: %.0fs%n", (System.nanoTime() - t0) / 1e9);

        JsonNode out = new ObjectMapper().readTree(result.toFile());
        System.out.println(out.toPrettyString());
        Map<String, JsonNode> rows = new HashMap<>();
        out.path("rows").forEach(r -> rows.put(r.path("id").asText(), r));
        assertEquals(5, rows.size(), out.toString());
        JsonNode honest = rows.get("honest");
        assertTrue(honest.path("correct").asBoolean() && !honest.path("flagged").asBoolean() && honest.path("reward").asDouble() >= 1.0, honest.toString());
        for (String attack : List.of("write_host_file", "rigged_eq", "exit_before_checks")) {
            JsonNode r = rows.get(attack);
            assertEquals(0.0, r.path("reward").asDouble(), r.toString());
            assertFalse(r.path("correct").asBoolean(), r.toString());
            assertTrue(r.path("flagged").asBoolean(), r.toString());
        }
        // Printed PASS records forge nothing (verdicts are made outside the jail): a wrong solution, paid only its format.
        JsonNode forged = rows.get("forged_output");
        assertFalse(forged.path("correct").asBoolean(), forged.toString());
        assertEquals(0.2, forged.path("reward").asDouble(), 1e-9, forged.toString());
        assertFalse(Files.exists(marker), "hostile code wrote a file on the host");
        // The job went on: the code sub-stage ran its iteration after the attacks and finished.
        assertEquals(0, out.path("stage_exit").asInt(), out.toString());
        assertTrue(Files.isRegularFile(run.resolve("rl/code/model/model.zip")));
        assertTrue(Files.isDirectory(run.resolve("rollouts/sub_stage=code/iteration=0")));
        // Hostile completions inside the sub-stage's own iteration: the canaries, all contained, none in the table.
        assertEquals(ai.posttrain.reward.Canaries.builtin().size(), out.path("canaries").asInt(), out.toString());
        assertEquals(ai.posttrain.reward.Canaries.builtin().size() - ai.posttrain.reward.Canaries.UNFLAGGED.size(),
                out.path("canaries_flagged").asInt(), out.toString());
        assertEquals(0, out.path("canary_rollouts").asInt(), out.toString());
    }
}
