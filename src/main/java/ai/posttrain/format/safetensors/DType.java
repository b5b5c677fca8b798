package ai.posttrain.format.safetensors;

import ai.posttrain.format.HalfFloats;

import java.nio.ByteBuffer;

/** The safetensors element types this project reads (to float) and writes. */
public enum DType {
    F32(4), F16(2), BF16(2);

    public final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Null for a dtype name safetensors knows but this project does not read (I8, F64, ...). */
    public static DType parse(String name) {
        for (DType t : values()) if (t.name().equals(name)) return t;
        return null;
    }

    /** Reads one value from a little-endian buffer. */
    public float read(ByteBuffer le) {
        return switch (this) {
            case F32 -> le.getFloat();
            case F16 -> HalfFloats.f16ToFloat(le.getShort());
            case BF16 -> HalfFloats.bf16ToFloat(le.getShort());
        };
    }

    public void write(ByteBuffer le, float v) {
        switch (this) {
            case F32 -> le.putFloat(v);
            case F16 -> le.putShort(HalfFloats.floatToF16(v));
            case BF16 -> le.putShort(HalfFloats.floatToBf16(v));
        }
    }
}
