package ai.posttrain.cli;

import ai.posttrain.LocalSpark;
import ai.posttrain.config.ConfigChange;
import ai.posttrain.config.PosttrainConfig;
import ai.posttrain.run.RunDir;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** `pipeline|stage --run DIR` resumes with the configuration the run recorded (manifest.json), not the defaults. */
class ResumeSettingsTest {
    @TempDir
    Path dir;

    /** A run started on conf/quick.conf: its manifest holds quick's settings. */
    private String quickRun() {
        String run = dir.resolve("run").toString();
        RunDir.open(run, PosttrainConfig.load("conf/quick.conf", List.of()), new Configuration());
        return run;
    }

    private static RunConfig.Loaded load(String... argv) {
        return RunConfig.load(Args.parse(argv, Set.of(RunConfig.ALLOW_CHANGE)), true);
    }

    private static int cli(ByteArrayOutputStream err, String... argv) throws Exception {
        return Main.run(argv, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void aResumeWithoutConfKeepsTheRunsOwnSettings() {
        String run = quickRun();
        RunConfig.Loaded resumed = load("--run", run);
        assertTrue(resumed.resumed());
        assertEquals(List.of(), resumed.changes());
        assertEquals(64, resumed.config().teacher().dModel(), "quick's teacher, not the default 128");
        assertEquals(6, resumed.config().distill().steps());
        // The same --conf again is no change either; a new run (no manifest) takes the defaults.
        assertEquals(List.of(), load("--run", run, "--conf", "conf/quick.conf").changes());
        RunConfig.Loaded fresh = load("--run", dir.resolve("new").toString());
        assertFalse(fresh.resumed());
        assertEquals(128, fresh.config().teacher().dModel());
    }

    @Test
    void aChangeThatAffectsResultsStopsWithExitTwoListingTheKeys() throws Exception {
        String run = quickRun();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, cli(err, "pipeline", "--run", run, "--set", "posttrain.seed=7",
                "--set", "posttrain.model.student.layers=3", "--set", "posttrain.spark.master=\"local[1]\""));
        String message = err.toString(StandardCharsets.UTF_8);
        assertTrue(message.startsWith("config error: --run " + run + ": "), message);
        assertTrue(message.contains("posttrain.seed (42 -> 7)"), message);
        assertTrue(message.contains("posttrain.model.student.layers (1 -> 3)"), message);
        assertFalse(message.contains("spark.master"), "a speed setting may change: " + message);
        assertTrue(message.contains("--allow-config-change"), message);
        assertEquals(1, message.lines().count(), "one line, no stack trace: " + message);
        assertEquals(42, RunDir.existingManifest(run, new Configuration()).orElseThrow().json().path("config").path("seed").asInt(),
                "nothing recorded");
    }

    @Test
    void speedAndOutputSettingsMayChange() {
        String run = quickRun();
        RunConfig.Loaded resumed = load("--run", run, "--set", "posttrain.spark.master=\"local[1]\"",
                "--set", "posttrain.spark.conf.\"spark.sql.shuffle.partitions\"=2", "--set", "posttrain.eval.batch-size=3",
                "--set", "posttrain.export.formats=[hf]", "--set", "posttrain.stages.rl.train.prefetch=2",
                "--set", "posttrain.run.root=elsewhere", "--set", "posttrain.reward.sandbox.max-concurrent=1");
        assertEquals(7, resumed.changes().size(), resumed.changes().toString());
        assertTrue(resumed.changes().stream().noneMatch(ConfigChange::affectsResults), resumed.changes().toString());
        assertEquals("local[1]", resumed.config().spark().master());
        assertEquals(3, resumed.config().eval().batchSize());
    }

    @Test
    void theExplicitFlagGoesOnAndTheManifestRecordsTheChange() throws Exception {
        String run = quickRun();
        LocalSpark.get();
        // distill's teacher is missing in this run, so the stage stops (exit 2) right after the run is opened.
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, cli(err, "stage", "distill", "--run", run, "--set", "posttrain.spark.master=\"local[2]\"",
                "--set", "posttrain.stages.distill.steps=7", "--allow-config-change"));
        String log = err.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("settings: the run's own") && log.contains("posttrain.stages.distill.steps (6 -> 7)"), log);
        assertTrue(log.contains("config error: posttrain.stages.distill.teacher: empty"), log);

        JsonNode manifest = RunDir.existingManifest(run, new Configuration()).orElseThrow().json();
        assertEquals(7, manifest.path("config").path("stages").path("distill").path("steps").asInt());
        JsonNode change = manifest.path("config_changes").get(0).path("keys").path("posttrain.stages.distill.steps");
        assertEquals("6", change.path("before").asText());
        assertEquals("7", change.path("after").asText());
        assertTrue(change.path("affects_results").asBoolean());
        // The next resume goes on with the recorded 7 steps, as the run now stands.
        assertEquals(7, load("--run", run).config().distill().steps());
    }
}
