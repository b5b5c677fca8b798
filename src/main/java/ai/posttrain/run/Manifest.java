package ai.posttrain.run;

import ai.posttrain.config.PosttrainConfig;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

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

    public String stageStatus(String stage) { return json.path("stages").path(stage).path("status").asText("pending"); }

    /** Records a stage's status ("running", "complete", "failed") with a timestamp. */
    public Manifest withStageStatus(String stage, String status) {
        ObjectNode s = ((ObjectNode) json.get("stages")).putObject(stage);
        s.put("status", status);
        s.put("updated", Instant.now().toString());
        return this;
    }
}
