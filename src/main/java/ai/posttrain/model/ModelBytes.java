package ai.posttrain.model;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;

/**
 * A frozen copy of a model as bytes: what the driver broadcasts so that every executor task can
 * restore its own graph (a graph is not shared between threads).
 */
public record ModelBytes(ModelConfig config, byte[] bytes) implements Serializable {

    public static ModelBytes of(ComputationGraph graph, ModelConfig config) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ModelSerializer.writeModel(graph, out, false);   // parameters only: no optimiser state for inference
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ModelBytes(config, out.toByteArray());
    }

    public ComputationGraph restore() {
        try {
            return ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes), false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restore the broadcast model", e);
        }
    }

    public Sampler sampler() { return new Sampler(restore(), config); }
}
