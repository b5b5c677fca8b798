package ai.posttrain.format;

import java.util.Arrays;

/**
 * A dense float tensor in row-major (C) order, the neutral currency between the engine's parameters and
 * the file formats. {@code shape} lists the outermost dimension first, as safetensors and PyTorch do.
 */
public record Tensor(long[] shape, float[] data) {
    public Tensor {
        if (count(shape) != data.length)
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + count(shape)
                    + " values, data has " + data.length);
    }

    public static Tensor of(float[] data, long... shape) {
        return new Tensor(shape.clone(), data);
    }

    public static long count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            n *= d;
        }
        return n;
    }

    public int rank() {
        return shape.length;
    }

    /** A 2-D tensor's transpose ([r, c] -> [c, r]); HF stores nn.Linear weights as [out, in], the engine as [in, out]. */
    public Tensor transpose2d() {
        if (shape.length != 2) throw new IllegalArgumentException("transpose2d needs rank 2, got " + Arrays.toString(shape));
        int rows = (int) shape[0], cols = (int) shape[1];
        float[] t = new float[data.length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) t[c * rows + r] = data[r * cols + c];
        return of(t, cols, rows);
    }

    /** Rows [from, to) of a 2-D tensor. */
    public Tensor rows(int from, int to) {
        int cols = (int) shape[1];
        return of(Arrays.copyOfRange(data, from * cols, to * cols), to - from, cols);
    }

    public boolean sameShape(long... other) {
        return Arrays.equals(shape, other);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape);
    }
}
