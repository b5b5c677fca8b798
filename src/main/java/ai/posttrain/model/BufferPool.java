package ai.posttrain.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.HashMap;
import java.util.Map;

/**
 * Named arrays a layer instance reuses from one forward pass to the next. A fresh off-heap array costs page
 * faults and zeroing (about 4 ms for 6 MB here, ten times the arithmetic of an in-place op on it), and the forward
 * pass's results must outlive the call (the backward pass reads them), so they cannot live in a workspace. A
 * buffer is only valid until the next {@link #get} of the same name: a forward pass overwrites the previous one's.
 * Each name keeps one flat block and hands out a view of its first elements, so minibatches of varying length
 * (sequences are padded per minibatch) reuse it; the block grows, with some room, only when a shape outgrows it.
 */
final class BufferPool {
    private static final ThreadLocal<Map<String, BufferPool>> BY_THREAD = ThreadLocal.withInitial(HashMap::new);
    private final Map<String, INDArray> blocks = new HashMap<>();

    /**
     * The calling thread's pool for the layer named {@code layer}. DL4J-on-Spark builds new layer instances every
     * averaging round (every minibatch in RL), so a pool per instance was allocated afresh each round. Sharing by name
     * is safe because a thread trains one graph at a time and a layer's training forward pass is followed by its own
     * backward pass before the next fit starts; layers of one graph have distinct names.
     */
    static BufferPool ofThread(String layer) {
        return BY_THREAD.get().computeIfAbsent(layer, name -> new BufferPool());
    }

    /** A 'c'-ordered array of this shape and type over the pooled block under {@code name}; contents undefined. */
    INDArray get(String name, DataType type, long... shape) {
        long length = 1;
        for (long s : shape) length *= s;
        INDArray block = blocks.get(name);
        if (block == null || block.dataType() != type || block.length() < length) {
            long room = block == null || block.dataType() != type ? length : Math.max(length, block.length() + block.length() / 4);
            block = Nd4j.createUninitialized(type, new long[]{room}, 'c');
            blocks.put(name, block);
        }
        INDArray prefix = length == block.length() ? block : block.get(NDArrayIndex.interval(0, length));
        return prefix.reshape('c', shape);
    }
}
