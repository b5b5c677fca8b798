package ai.posttrain.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A checkpoint is a directory (any Hadoop filesystem: file:, hdfs:, s3a:) holding
 * {@value #MODEL_ZIP} (DL4J ModelSerializer, parameters and updater state) and {@value #MODEL_JSON}
 * ({@link ModelInfo}).
 */
public final class Checkpoints {
    public static final String MODEL_ZIP = "model.zip";
    public static final String MODEL_JSON = "model.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** A restored checkpoint. */
    public record Loaded(ComputationGraph graph, ModelInfo info) {
    }

    private Checkpoints() {
    }

    public static void save(ComputationGraph graph, ModelInfo info, String dir) {
        save(graph, info, dir, new Configuration());
    }

    public static void save(ComputationGraph graph, ModelInfo info, String dir, Configuration hadoop) {
        Path root = new Path(dir);
        try {
            FileSystem fs = root.getFileSystem(hadoop);
            fs.mkdirs(root);
            try (FSDataOutputStream out = fs.create(new Path(root, MODEL_ZIP), true)) {
                ModelSerializer.writeModel(graph, out, true);
            }
            try (FSDataOutputStream out = fs.create(new Path(root, MODEL_JSON), true)) {
                out.write(JSON.writeValueAsBytes(info));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint to " + dir, e);
        }
    }

    public static Loaded load(String dir) {
        return load(dir, new Configuration());
    }

    public static Loaded load(String dir, Configuration hadoop) {
        Path root = new Path(dir);
        try {
            FileSystem fs = root.getFileSystem(hadoop);
            ModelInfo info;
            try (FSDataInputStream in = fs.open(new Path(root, MODEL_JSON))) {
                info = JSON.readValue((java.io.InputStream) in, ModelInfo.class);
            }
            ComputationGraph graph;
            try (FSDataInputStream in = fs.open(new Path(root, MODEL_ZIP))) {
                graph = ModelSerializer.restoreComputationGraph(in, true);
            }
            return new Loaded(graph, info);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint from " + dir, e);
        }
    }

    /** Reads only model.json (e.g. to size a model before loading it). */
    public static ModelInfo readInfo(String dir) {
        Path root = new Path(dir);
        try (FSDataInputStream in = root.getFileSystem(new Configuration()).open(new Path(root, MODEL_JSON))) {
            return JSON.readValue((java.io.InputStream) in, ModelInfo.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + MODEL_JSON + " from " + dir, e);
        }
    }
}
