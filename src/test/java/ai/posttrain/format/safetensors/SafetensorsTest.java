package ai.posttrain.format.safetensors;

import ai.posttrain.format.HalfFloats;
import ai.posttrain.format.ModelFormatException;
import ai.posttrain.format.Tensor;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class SafetensorsTest {
    @TempDir Path tmp;

    private static Map<String, Tensor> sample() {
        Random r = new Random(7);
        Map<String, Tensor> m = new LinkedHashMap<>();
        float[] a = new float[6 * 5];
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
        m.put("a.weight", Tensor.of(a, 6, 5));
        m.put("b.bias", Tensor.of(new float[]{1f, -2.5f, 3.25e-3f}, 3));
        m.put("scalar", Tensor.of(new float[]{42f}));
        return m;
    }

    @Test
    void f32RoundTripIsExactAndHeaderIsAligned() throws IOException {
        Path file = tmp.resolve("x.safetensors");
        SafetensorsWriter.write(file.toString(), sample(), DType.F32);
        byte[] bytes = Files.readAllBytes(file);
        long headerLen = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLen % 8);
        String header = new String(bytes, 8, (int) headerLen, StandardCharsets.UTF_8);
        assertTrue(header.contains("\"__metadata__\":{\"format\":\"pt\"}"), header);
        try (SafetensorsFile f = SafetensorsFile.open(file.toString())) {
            assertEquals(sample().keySet(), f.names());
            for (Map.Entry<String, Tensor> e : sample().entrySet()) assertEquals(e.getValue(), f.read(e.getKey()));
            assertEquals("pt", f.metadata().get("format"));
        }
    }

    @Test
    void halfPrecisionRoundTripsToTheRoundedValues() {
        for (DType dtype : new DType[]{DType.F16, DType.BF16}) {
            Path file = tmp.resolve(dtype + ".safetensors");
            SafetensorsWriter.write(file.toString(), sample(), dtype);
            try (SafetensorsFile f = SafetensorsFile.open(file.toString())) {
                float[] want = sample().get("a.weight").data();
                float[] got = f.read("a.weight").data();
                for (int i = 0; i < want.length; i++) {
                    float rounded = dtype == DType.F16 ? HalfFloats.f16ToFloat(HalfFloats.floatToF16(want[i]))
                            : HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(want[i]));
                    assertEquals(rounded, got[i]);
                    assertEquals(want[i], got[i], Math.abs(want[i]) * (dtype == DType.F16 ? 1e-3 : 8e-3) + 1e-7);
                }
            }
        }
    }

    @Test
    void halfConversionsMatchKnownBitPatterns() {
        assertEquals((short) 0x3C00, HalfFloats.floatToF16(1f));
        assertEquals((short) 0xC000, HalfFloats.floatToF16(-2f));
        assertEquals((short) 0x7BFF, HalfFloats.floatToF16(65504f));
        assertEquals((short) 0x7C00, HalfFloats.floatToF16(70000f));
        assertEquals((short) 0x0001, HalfFloats.floatToF16(0x1p-24f));          // smallest subnormal
        assertEquals((short) 0x3555, HalfFloats.floatToF16(1f / 3));
        assertEquals(0x1p-24f, HalfFloats.f16ToFloat((short) 0x0001));
        assertEquals(1f / 3, HalfFloats.f16ToFloat((short) 0x3555), 1e-4);
        for (int h = 0; h < 0x7C00; h++) assertEquals((short) h, HalfFloats.floatToF16(HalfFloats.f16ToFloat((short) h)));
        assertEquals((short) 0x3F80, HalfFloats.floatToBf16(1f));
        assertEquals((short) 0x3EAB, HalfFloats.floatToBf16(1f / 3));
    }

    @Test
    void shardedFolderReadsThroughItsIndex() throws IOException {
        Map<String, Tensor> tensors = sample();
        SafetensorsFolder.write(tmp.toString(), tensors, DType.F32, 64, new Configuration());
        assertTrue(Files.exists(tmp.resolve(SafetensorsFolder.INDEX)));
        assertTrue(Files.exists(tmp.resolve("model-00001-of-00002.safetensors")));
        try (SafetensorsFolder folder = SafetensorsFolder.open(tmp.toString())) {
            assertEquals(tensors.keySet(), folder.names());
            for (Map.Entry<String, Tensor> e : tensors.entrySet()) assertEquals(e.getValue(), folder.read(e.getKey()));
        }
        Files.delete(tmp.resolve("model-00002-of-00002.safetensors"));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> SafetensorsFolder.open(tmp.toString()));
        assertTrue(e.getMessage().contains(SafetensorsFolder.INDEX) && e.getMessage().contains("model-00002-of-00002.safetensors is missing"), e.getMessage());
    }

    @Test
    void errorsNameTheFileAndTheField() throws IOException {
        Path file = tmp.resolve("bad.safetensors");
        writeRaw(file, "{\"w\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> SafetensorsFile.open(file.toString()));
        assertEquals(file + ": w.dtype: unsupported dtype 'I8' (supported: F32, F16, BF16)", e.getMessage());

        writeRaw(file, "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8);
        e = assertThrows(ModelFormatException.class, () -> SafetensorsFile.open(file.toString()));
        assertTrue(e.getMessage().startsWith(file + ": w.data_offsets: 8 bytes for shape [3] of F32"), e.getMessage());

        e = assertThrows(ModelFormatException.class, () -> SafetensorsFolder.open(tmp.resolve("empty").toString()));
        assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
    }

    private static void writeRaw(Path file, String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Files.write(file, b.array());
    }
}
