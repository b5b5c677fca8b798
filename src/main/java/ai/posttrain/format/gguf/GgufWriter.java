package ai.posttrain.format.gguf;

import ai.posttrain.format.HalfFloats;
import ai.posttrain.format.Tensor;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GGUF v3 file (llama.cpp's format): "GGUF", version 3, tensor count, KV count, the KVs, the tensor infos,
 * padding to {@value #ALIGNMENT} bytes, then each tensor's data padded to the same alignment. Everything is
 * little-endian. Tensor dimensions are stored innermost first (ne[0] is a row's length), the reverse of the
 * row-major shape a {@link Tensor} carries; the data bytes are the same row-major values.
 */
public final class GgufWriter {
    public static final int ALIGNMENT = 32;
    private static final int MAGIC = 0x46554747;   // "GGUF" read as a little-endian uint32
    private static final int VERSION = 3;

    /** GGUF metadata value types (gguf_type). */
    enum ValueType {
        UINT8, INT8, UINT16, INT16, UINT32, INT32, FLOAT32, BOOL, STRING, ARRAY, UINT64, INT64, FLOAT64
    }

    /** Tensor element types (ggml_type); only the two this project writes. */
    public enum GgmlType {
        F32(0, 4), F16(1, 2);
        final int id;
        final int bytes;

        GgmlType(int id, int bytes) {
            this.id = id;
            this.bytes = bytes;
        }
    }

    private record Kv(ValueType type, ValueType elementType, Object value) {
    }

    private record TensorEntry(String name, Tensor tensor, GgmlType type) {
        long bytes() {
            return (long) tensor.data().length * type.bytes;
        }
    }

    private final Map<String, Kv> kvs = new LinkedHashMap<>();
    private final List<TensorEntry> tensors = new ArrayList<>();

    public GgufWriter putString(String key, String value) { return put(key, new Kv(ValueType.STRING, null, value)); }
    public GgufWriter putUint32(String key, int value) { return put(key, new Kv(ValueType.UINT32, null, value)); }
    public GgufWriter putFloat32(String key, float value) { return put(key, new Kv(ValueType.FLOAT32, null, value)); }
    public GgufWriter putBool(String key, boolean value) { return put(key, new Kv(ValueType.BOOL, null, value)); }
    public GgufWriter putStrings(String key, List<String> values) { return put(key, new Kv(ValueType.ARRAY, ValueType.STRING, List.copyOf(values))); }
    public GgufWriter putInt32s(String key, int[] values) { return put(key, new Kv(ValueType.ARRAY, ValueType.INT32, values.clone())); }

    private GgufWriter put(String key, Kv kv) {
        if (kvs.containsKey(key)) throw new IllegalArgumentException("GGUF key written twice: " + key);
        kvs.put(key, kv);
        return this;
    }

    public GgufWriter addTensor(String name, Tensor tensor, GgmlType type) {
        if (tensor.rank() < 1 || tensor.rank() > 4) throw new IllegalArgumentException(name + ": GGUF tensors have 1 to 4 dimensions");
        for (TensorEntry t : tensors) if (t.name().equals(name)) throw new IllegalArgumentException("GGUF tensor written twice: " + name);
        tensors.add(new TensorEntry(name, tensor, type));
        return this;
    }

    public void write(String path) {
        write(path, new Configuration());
    }

    public void write(String path, Configuration hadoop) {
        Path p = new Path(path);
        try (FSDataOutputStream raw = p.getFileSystem(hadoop).create(p, true);
             Counting out = new Counting(new BufferedOutputStream(raw, 1 << 20))) {
            out.u32(MAGIC);
            out.u32(VERSION);
            out.u64(tensors.size());
            out.u64(kvs.size());
            for (Map.Entry<String, Kv> e : kvs.entrySet()) {
                out.string(e.getKey());
                out.u32(e.getValue().type().ordinal());
                writeValue(out, e.getValue());
            }
            long offset = 0;
            for (TensorEntry t : tensors) {
                out.string(t.name());
                long[] shape = t.tensor().shape();
                out.u32(shape.length);
                for (int i = shape.length - 1; i >= 0; i--) out.u64(shape[i]);   // innermost first
                out.u32(t.type().id);
                out.u64(offset);
                offset = align(offset + t.bytes());
            }
            out.pad();
            for (TensorEntry t : tensors) {
                writeData(out, t);
                out.pad();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write GGUF " + path, e);
        }
    }

    private static long align(long n) {
        return (n + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    private static void writeValue(Counting out, Kv kv) throws IOException {
        switch (kv.type()) {
            case STRING -> out.string((String) kv.value());
            case UINT32 -> out.u32((Integer) kv.value());
            case FLOAT32 -> out.u32(Float.floatToRawIntBits((Float) kv.value()));
            case BOOL -> out.write((Boolean) kv.value() ? 1 : 0);
            case ARRAY -> {
                out.u32(kv.elementType().ordinal());
                if (kv.elementType() == ValueType.STRING) {
                    @SuppressWarnings("unchecked") List<String> values = (List<String>) kv.value();
                    out.u64(values.size());
                    for (String s : values) out.string(s);
                } else {
                    int[] values = (int[]) kv.value();
                    out.u64(values.length);
                    for (int v : values) out.u32(v);
                }
            }
            default -> throw new IllegalStateException("unwritten GGUF type " + kv.type());
        }
    }

    private static void writeData(Counting out, TensorEntry t) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : t.tensor().data()) {
            if (buf.remaining() < 4) {
                out.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            if (t.type() == GgmlType.F32) buf.putFloat(v);
            else buf.putShort(HalfFloats.floatToF16(v));
        }
        out.write(buf.array(), 0, buf.position());
    }

    /** Little-endian primitives, tracking the position for alignment padding. */
    private static final class Counting extends OutputStream {
        private final OutputStream out;
        private long position;
        private final byte[] scratch = new byte[8];

        Counting(OutputStream out) {
            this.out = out;
        }

        @Override public void write(int b) throws IOException {
            out.write(b);
            position++;
        }

        @Override public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            position += len;
        }

        void u32(int v) throws IOException {
            ByteBuffer.wrap(scratch).order(ByteOrder.LITTLE_ENDIAN).putInt(0, v);
            write(scratch, 0, 4);
        }

        void u64(long v) throws IOException {
            ByteBuffer.wrap(scratch).order(ByteOrder.LITTLE_ENDIAN).putLong(0, v);
            write(scratch, 0, 8);
        }

        void string(String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            write(b, 0, b.length);
        }

        void pad() throws IOException {
            while (position % ALIGNMENT != 0) write(0);
        }

        @Override public void close() throws IOException {
            out.close();
        }
    }
}
