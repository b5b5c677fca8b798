package ai.posttrain.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Rotary position embedding on [B, T, hd] queries/keys: x*cos + rotateHalf(x)*sin, where
 * rotateHalf([x1, x2]) = [-x2, x1] pairs channel i with i + hd/2 at angle pos * theta^(-2i/hd) (HF's layout).
 * rotateHalf is a fixed [hd, hd] matrix R so that both directions are one gemm.
 */
final class Rotary {
    final INDArray cos;   // [1, T*hd]
    final INDArray sin;   // [1, T*hd]
    final INDArray rot;   // [hd, hd]
    final int t;
    final int hd;

    Rotary(int t, int hd, int offset, DataType type) {
        this(t, hd, offset, 10000.0, type);
    }

    Rotary(int t, int hd, int offset, double theta, DataType type) {
        this.t = t;
        this.hd = hd;
        int half = hd / 2;
        double[] c = new double[t * hd];
        double[] s = new double[t * hd];
        for (int p = 0; p < t; p++) {
            for (int i = 0; i < hd; i++) {
                double angle = (p + offset) * inverseFrequency(i, hd, theta);
                c[p * hd + i] = Math.cos(angle);
                s[p * hd + i] = Math.sin(angle);
            }
        }
        double[] r = new double[hd * hd];
        for (int i = 0; i < half; i++) {
            r[(i + half) * hd + i] = -1;  // out_i = -x_{i+half}
            r[i * hd + i + half] = 1;     // out_{i+half} = x_i
        }
        cos = Nd4j.create(c, new long[]{1, (long) t * hd}, DataType.DOUBLE).castTo(type);
        sin = Nd4j.create(s, new long[]{1, (long) t * hd}, DataType.DOUBLE).castTo(type);
        rot = Nd4j.create(r, new long[]{hd, hd}, DataType.DOUBLE).castTo(type);
    }

    /** theta^(-2 (i mod hd/2) / hd), computed as HF does (in float64 here, float32 there). */
    static double inverseFrequency(int i, int hd, double theta) {
        return 1.0 / Math.pow(theta, 2.0 * (i % (hd / 2)) / hd);
    }

    /** x: [B, T, hd] contiguous; returns a new array. */
    INDArray apply(INDArray x) {
        long b = x.size(0);
        INDArray flat = x.reshape('c', b, (long) t * hd);
        INDArray rotated = Nd4j.matmul(x.reshape('c', b * t, hd), rot).reshape('c', b, (long) t * hd);
        return flat.mulRowVector(cos).addi(rotated.muliRowVector(sin)).reshape('c', b, t, hd);
    }

    /** Gradient through {@link #apply}: dx = dy*cos + (dy*sin) R^T. */
    INDArray backward(INDArray dy) {
        long b = dy.size(0);
        INDArray flat = dy.reshape('c', b, (long) t * hd);
        INDArray ds = Nd4j.matmul(flat.mulRowVector(sin).reshape('c', b * t, hd), rot, false, true, false).reshape('c', b, (long) t * hd);
        return flat.mulRowVector(cos).addi(ds).reshape('c', b, t, hd);
    }
}
