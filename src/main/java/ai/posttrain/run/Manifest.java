package ai.posttrain.run;

import ai.posttrain.config.PosttrainConfig;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** manifest.json: the resolved config, seeds, versions and each stage's status. */
public final class Manifest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ObjectNode json;

    Manifest(ObjectNode json) { this.json = json; }

    static Manifest create(String runId, PosttrainConfig config) {
        ObjectNode root = JSON.createObjectNode();
        root.put("run_id", runId);
        root.put("created", Instant.now().toString());
        try {
            root.set("config", JSON.readTree(config.resolvedJson()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        root.putObject("seeds").put("root", config.seed());
        ObjectNode versions = root.putObject("versions");
        versions.put("spark-posttrain", Versions.app());
        versions.put("java", System.getProperty("java.version"));
        versions.put("spark", org.apache.spark.package$.MODULE$.SPARK_VERSION());
        versions.put("dl4j", Versions.of("org.deeplearning4j.nn.graph.ComputationGraph", "unknown"));
        root.putObject("stages");
        return new Manifest(root);
    }

    public ObjectNode json() { return json; }

    public String runId() { return json.path("run_id").asText(); }

    /** The resolved configuration the run last ran with ({@code posttrain} as JSON), or null in a manifest without one. */
    public String config() { return json.has("config") ? json.get("config").toString() : null; }

    /**
     * Replaces the recorded configuration after a resume that changed settings, and appends the change
     * ({@code config_changes}: when, each key with its old and new value, and whether it affects results).
     */
    public Manifest withConfig(PosttrainConfig config, List<ai.posttrain.config.ConfigChange> changes) {
        try {
            json.set("config", JSON.readTree(config.resolvedJson()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        com.fasterxml.jackson.databind.node.ArrayNode log = json.has("config_changes")
                ? (com.fasterxml.jackson.databind.node.ArrayNode) json.get("config_changes") : json.putArray("config_changes");
        ObjectNode entry = log.addObject();
        entry.put("at", Instant.now().toString());
        ObjectNode keys = entry.putObject("keys");
        for (var c : changes) {
            ObjectNode k = keys.putObject(c.key());
            k.put("before", c.before());
            k.put("after", c.after());
            k.put("affects_results", c.affectsResults());
        }
        return this;
    }

    public String stageStatus(String stage) { return json.path("stages").path(stage).path("status").asText("pending"); }

    /**
     * Records a stage's status ("running", "complete", "failed") with a timestamp. "running" also marks
     * the start of an attempt; the status that ends it records {@code finished} and {@code seconds}
     * (the duration of the last attempt, training and evaluation together).
     */
    public Manifest withStageStatus(String stage, String status) {
        ObjectNode stages = (ObjectNode) json.get("stages");
        ObjectNode s = stages.get(stage) instanceof ObjectNode existing ? existing : stages.putObject(stage);
        Instant now = Instant.now();
        s.put("status", status);
        s.put("updated", now.toString());
        if (status.equals("running")) {
            s.put("started", now.toString());
            s.remove(List.of("finished", "seconds"));
        } else if (s.hasNonNull("started")) {
            s.put("finished", now.toString());
            s.put("seconds", Duration.between(Instant.parse(s.get("started").asText()), now).toMillis() / 1000.0);
        }
        return this;
    }

    /** Seconds the stage's last attempt took, or NaN when it has not finished. */
    public double stageSeconds(String stage) {
        return json.path("stages").path(stage).path("seconds").asDouble(Double.NaN);
    }
}
