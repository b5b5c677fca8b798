package ai.posttrain.format.safetensors;

import ai.posttrain.format.ModelFormatException;
import ai.posttrain.format.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The weights of a Hugging Face model folder: {@value #SINGLE}, or shards listed by {@value #INDEX}
 * ({"weight_map": {tensor: shard file}}). Reads by tensor name, whichever shard holds it.
 */
public final class SafetensorsFolder implements Closeable {
    public static final String SINGLE = "model.safetensors";
    public static final String INDEX = "model.safetensors.index.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Map<String, SafetensorsFile> byTensor;
    private final List<SafetensorsFile> files;

    private SafetensorsFolder(Map<String, SafetensorsFile> byTensor, List<SafetensorsFile> files) {
        this.byTensor = byTensor;
        this.files = files;
    }

    public static SafetensorsFolder open(String dir) {
        return open(dir, new Configuration());
    }

    public static SafetensorsFolder open(String dir, Configuration hadoop) {
        Path root = new Path(dir);
        try {
            FileSystem fs = root.getFileSystem(hadoop);
            Path index = new Path(root, INDEX);
            if (fs.exists(index)) return openSharded(fs, root, index, hadoop);
            Path single = new Path(root, SINGLE);
            if (!fs.exists(single))
                throw new ModelFormatException(root.toString(), SINGLE, "no " + SINGLE + " and no " + INDEX + " in the folder");
            SafetensorsFile f = SafetensorsFile.open(single.toString(), hadoop);
            Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
            for (String n : f.names()) byTensor.put(n, f);
            return new SafetensorsFolder(byTensor, List.of(f));
        } catch (IOException e) {
            throw new ModelFormatException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static SafetensorsFolder openSharded(FileSystem fs, Path root, Path index, Configuration hadoop) throws IOException {
        JsonNode weightMap;
        try (FSDataInputStream in = fs.open(index)) {
            weightMap = JSON.readTree((java.io.InputStream) in).path("weight_map");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ModelFormatException(index.toString(), "json", e.getOriginalMessage());
        }
        if (!weightMap.isObject()) throw new ModelFormatException(index.toString(), "weight_map", "missing or not an object");
        Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
        Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
        List<SafetensorsFile> opened = new ArrayList<>();
        try {
            for (Iterator<Map.Entry<String, JsonNode>> it = weightMap.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String shardName = e.getValue().asText();
                SafetensorsFile shard = shards.get(shardName);
                if (shard == null) {
                    Path shardPath = new Path(root, shardName);
                    if (!fs.exists(shardPath))
                        throw new ModelFormatException(index.toString(), "weight_map." + e.getKey(), "shard " + shardName + " is missing");
                    shard = SafetensorsFile.open(shardPath.toString(), hadoop);
                    shards.put(shardName, shard);
                    opened.add(shard);
                }
                if (shard.entry(e.getKey()) == null)
                    throw new ModelFormatException(shard.path(), e.getKey(), "listed in " + INDEX + " but not in the shard");
                byTensor.put(e.getKey(), shard);
            }
        } catch (RuntimeException e) {
            opened.forEach(SafetensorsFile::close);
            throw e;
        }
        return new SafetensorsFolder(byTensor, opened);
    }

    public Set<String> names() {
        return Collections.unmodifiableSet(byTensor.keySet());
    }

    public boolean has(String name) {
        return byTensor.containsKey(name);
    }

    /** The tensor's header entry (dtype, shape) without reading its data; null when absent. */
    public SafetensorsFile.Entry entry(String name) {
        SafetensorsFile f = byTensor.get(name);
        return f == null ? null : f.entry(name);
    }

    /** The file that holds {@code name}, for error messages. */
    public String fileOf(String name) {
        SafetensorsFile f = byTensor.get(name);
        return f == null ? "model.safetensors" : f.path();
    }

    public Tensor read(String name) {
        SafetensorsFile f = byTensor.get(name);
        if (f == null) throw new ModelFormatException(files.isEmpty() ? "model.safetensors" : files.get(0).path(), name, "tensor is missing");
        return f.read(name);
    }

    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }

    /**
     * Writes {@code tensors} as {@value #SINGLE}, or, when they exceed {@code maxShardBytes}, as
     * model-0000i-of-0000n.safetensors shards with an {@value #INDEX} (HF's layout).
     */
    public static void write(String dir, Map<String, Tensor> tensors, DType dtype, long maxShardBytes, Configuration hadoop) {
        Path root = new Path(dir);
        List<Map<String, Tensor>> shards = new ArrayList<>();
        Map<String, Tensor> current = new LinkedHashMap<>();
        long currentBytes = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            long bytes = (long) e.getValue().data().length * dtype.bytes;
            if (!current.isEmpty() && currentBytes + bytes > maxShardBytes) {
                shards.add(current);
                current = new LinkedHashMap<>();
                currentBytes = 0;
            }
            current.put(e.getKey(), e.getValue());
            currentBytes += bytes;
        }
        shards.add(current);
        try {
            root.getFileSystem(hadoop).mkdirs(root);
            if (shards.size() == 1) {
                SafetensorsWriter.write(new Path(root, SINGLE).toString(), tensors, dtype, hadoop);
                return;
            }
            ObjectNode index = JSON.createObjectNode();
            index.putObject("metadata").put("total_size", SafetensorsWriter.dataBytes(tensors, dtype));
            ObjectNode weightMap = index.putObject("weight_map");
            for (int i = 0; i < shards.size(); i++) {
                String name = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
                SafetensorsWriter.write(new Path(root, name).toString(), shards.get(i), dtype, hadoop);
                for (String t : shards.get(i).keySet()) weightMap.put(t, name);
            }
            try (FSDataOutputStream out = root.getFileSystem(hadoop).create(new Path(root, INDEX), true)) {
                out.write(JSON.writeValueAsBytes(index));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write weights to " + dir, e);
        }
    }
}
