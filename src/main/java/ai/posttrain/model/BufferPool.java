package ai.posttrain.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Named arrays a layer instance reuses from one forward pass to the next. A fresh off-heap array costs page
 * faults and zeroing (about 4 ms for 6 MB here, ten times the arithmetic of an in-place op on it), and the forward
 * pass's results must outlive the call (the backward pass reads them), so they cannot live in a workspace. A
 * buffer is only valid until the next {@link #get} of the same name: a forward pass overwrites the previous one's.
 */
final class BufferPool {
    private final Map<String, INDArray> buffers = new HashMap<>();

    /** A 'c'-ordered array of this shape and type, reused when the last one under {@code name} fits; contents undefined. */
    INDArray get(String name, DataType type, long... shape) {
        INDArray b = buffers.get(name);
        if (b == null || b.dataType() != type || !Arrays.equals(b.shape(), shape)) {
            b = Nd4j.createUninitialized(type, shape, 'c');
            buffers.put(name, b);
        }
        return b;
    }

    void clear() {
        buffers.clear();
    }
}
