package ai.posttrain.format.safetensors;

import ai.posttrain.format.Tensor;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Writes one .safetensors file (tensors in the map's order) to any Hadoop filesystem. */
public final class SafetensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CHUNK = 1 << 20;

    private SafetensorsWriter() {}

    public static void write(String path, Map<String, Tensor> tensors, DType dtype) {
        write(path, tensors, dtype, new Configuration());
    }

    /** Bytes the file's data section takes for these tensors in {@code dtype}. */
    public static long dataBytes(Map<String, Tensor> tensors, DType dtype) {
        long n = 0;
        for (Tensor t : tensors.values()) n += (long) t.data().length * dtype.bytes;
        return n;
    }

    public static void write(String path, Map<String, Tensor> tensors, DType dtype, Configuration hadoop) {
        Path p = new Path(path);
        try (FSDataOutputStream out = p.getFileSystem(hadoop).create(p, true)) {
            byte[] header = header(tensors, dtype);
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
            out.write(len.array());
            out.write(header);
            for (Tensor t : tensors.values()) writeData(out, t.data(), dtype);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path, e);
        }
    }

    /** The JSON header, space-padded to a multiple of 8 bytes so the data section stays aligned (as the reference library does). */
    private static byte[] header(Map<String, Tensor> tensors, DType dtype) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.putObject("__metadata__").put("format", "pt");
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            ObjectNode node = root.putObject(e.getKey());
            node.put("dtype", dtype.name());
            ArrayNode shape = node.putArray("shape");
            for (long d : e.getValue().shape()) shape.add(d);
            long size = (long) e.getValue().data().length * dtype.bytes;
            node.putArray("data_offsets").add(offset).add(offset + size);
            offset += size;
        }
        String json = JSON.writeValueAsString(root);
        int pad = (8 - json.getBytes(StandardCharsets.UTF_8).length % 8) % 8;
        return (json + " ".repeat(pad)).getBytes(StandardCharsets.UTF_8);
    }

    private static void writeData(OutputStream out, float[] data, DType dtype) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : data) {
            if (buf.remaining() < dtype.bytes) {
                out.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            dtype.write(buf, v);
        }
        out.write(buf.array(), 0, buf.position());
    }
}
