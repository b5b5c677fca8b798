package ai.posttrain.format.safetensors;

import ai.posttrain.format.ModelFormatException;
import ai.posttrain.format.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One open .safetensors file on any Hadoop filesystem: the header is parsed and checked when opened, tensors
 * are read on demand (positioned reads, so a shard of several GB is never held as bytes).
 */
public final class SafetensorsFile implements Closeable {
    /** A tensor's header entry; offsets are absolute positions in the file. */
    public record Entry(String name, DType dtype, long[] shape, long start, long end) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER = 100L << 20;   // the format's own limit is 100 MB
    private static final int CHUNK = 8 << 20;

    private final String file;
    private final FSDataInputStream in;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private SafetensorsFile(String file, FSDataInputStream in, Map<String, Entry> entries, Map<String, String> metadata) {
        this.file = file;
        this.in = in;
        this.entries = entries;
        this.metadata = metadata;
    }

    public static SafetensorsFile open(String path) {
        return open(path, new Configuration());
    }

    public static SafetensorsFile open(String path, Configuration hadoop) {
        Path p = new Path(path);
        FSDataInputStream in;
        long size;
        try {
            FileSystem fs = p.getFileSystem(hadoop);
            if (!fs.exists(p)) throw new ModelFormatException(path, "file", "does not exist");
            size = fs.getFileStatus(p).getLen();
            in = fs.open(p);
        } catch (IOException e) {
            throw new ModelFormatException(path + ": cannot open: " + e.getMessage(), e);
        }
        try {
            return parse(path, in, size);
        } catch (RuntimeException e) {
            closeQuietly(in);
            throw e;
        }
    }

    private static SafetensorsFile parse(String file, FSDataInputStream in, long size) {
        try {
            if (size < 8) throw new ModelFormatException(file, "header", "file has " + size + " bytes, too short for a safetensors header");
            byte[] lenBytes = new byte[8];
            in.readFully(0, lenBytes, 0, 8);
            long headerLen = ByteBuffer.wrap(lenBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (headerLen < 2 || headerLen > MAX_HEADER || 8 + headerLen > size)
                throw new ModelFormatException(file, "header", "length " + headerLen + " does not fit a file of " + size + " bytes");
            byte[] header = new byte[(int) headerLen];
            in.readFully(8, header, 0, header.length);
            JsonNode root;
            try {
                root = JSON.readTree(header);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new ModelFormatException(file, "header", "not valid JSON: " + e.getOriginalMessage());
            }
            if (root == null || !root.isObject()) throw new ModelFormatException(file, "header", "not a JSON object");
            long dataStart = 8 + headerLen;
            Map<String, Entry> entries = new LinkedHashMap<>();
            Map<String, String> metadata = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (f.getKey().equals("__metadata__")) {
                    f.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                entries.put(f.getKey(), entry(file, f.getKey(), f.getValue(), dataStart, size));
            }
            return new SafetensorsFile(file, in, Collections.unmodifiableMap(entries), Collections.unmodifiableMap(metadata));
        } catch (IOException e) {
            throw new ModelFormatException(file + ": cannot read header: " + e.getMessage(), e);
        }
    }

    private static Entry entry(String file, String name, JsonNode node, long dataStart, long size) {
        String dtypeName = node.path("dtype").asText(null);
        DType dtype = DType.parse(dtypeName);
        if (dtype == null)
            throw new ModelFormatException(file, name + ".dtype", "unsupported dtype '" + dtypeName + "' (supported: F32, F16, BF16)");
        JsonNode shapeNode = node.path("shape");
        JsonNode offsets = node.path("data_offsets");
        if (!shapeNode.isArray()) throw new ModelFormatException(file, name + ".shape", "missing");
        if (!offsets.isArray() || offsets.size() != 2) throw new ModelFormatException(file, name + ".data_offsets", "expected [begin, end]");
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) shape[i] = shapeNode.get(i).asLong(-1);
        long begin = offsets.get(0).asLong(-1), end = offsets.get(1).asLong(-1);
        long count;
        try {
            count = Tensor.count(shape);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, name + ".shape", e.getMessage());
        }
        if (begin < 0 || end < begin || dataStart + end > size)
            throw new ModelFormatException(file, name + ".data_offsets", "[" + begin + ", " + end + "] outside the data section");
        if (end - begin != count * dtype.bytes)
            throw new ModelFormatException(file, name + ".data_offsets", (end - begin) + " bytes for shape "
                    + java.util.Arrays.toString(shape) + " of " + dtype + " (" + count * dtype.bytes + " expected)");
        if (count > Integer.MAX_VALUE - 8)
            throw new ModelFormatException(file, name + ".shape", "more than 2^31 values in one tensor");
        return new Entry(name, dtype, shape, dataStart + begin, dataStart + end);
    }

    public String path() {
        return file;
    }

    public Set<String> names() {
        return entries.keySet();
    }

    public Entry entry(String name) {
        return entries.get(name);
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /** The tensor as floats, whatever its stored dtype. */
    public Tensor read(String name) {
        Entry e = entries.get(name);
        if (e == null) throw new ModelFormatException(file, name, "no such tensor");
        float[] out = new float[(int) Tensor.count(e.shape())];
        byte[] chunk = new byte[(int) Math.min(CHUNK, e.end() - e.start())];
        ByteBuffer le = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
        int perChunk = chunk.length / e.dtype().bytes;
        try {
            for (int done = 0; done < out.length; ) {
                int n = Math.min(perChunk, out.length - done);
                in.readFully(e.start() + (long) done * e.dtype().bytes, chunk, 0, n * e.dtype().bytes);
                le.clear();
                for (int i = 0; i < n; i++) out[done + i] = e.dtype().read(le);
                done += n;
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot read tensor " + name + " from " + file, ex);
        }
        return new Tensor(e.shape().clone(), out);
    }

    @Override
    public void close() {
        closeQuietly(in);
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // reading is done; nothing to recover
        }
    }
}
