package ai.posttrain.model;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

class BufferPoolTest {

    @Test
    void aSmallerShapeIsAViewOfTheSameBlockAndAGemmLandsInIt() {
        BufferPool pool = new BufferPool();
        INDArray big = pool.get("x", DataType.FLOAT, 4, 3);
        big.assign(Nd4j.linspace(DataType.FLOAT, 1, 12, 1).reshape(4, 3));
        INDArray small = pool.get("x", DataType.FLOAT, 2, 2);
        assertArrayEquals(new long[]{2, 2}, small.shape());
        assertEquals('c', small.ordering());
        assertArrayEquals(new float[]{1, 2, 3, 4}, small.dup().data().asFloat(), "the first elements of the block");

        INDArray a = Nd4j.rand(DataType.FLOAT, 2, 5), b = Nd4j.rand(DataType.FLOAT, 5, 2);
        Nd4j.gemm(a, b, small, false, false, 1.0, 0.0);
        assertEquals(a.mmul(b), small);
        INDArray again = pool.get("x", DataType.FLOAT, 4, 3);
        assertEquals(a.mmul(b).reshape(4), again.reshape(12).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 4)),
                "the gemm wrote into the pooled block, not into a copy");
    }

    @Test
    void aLargerShapeGetsAFreshBlockAndOtherNamesAreSeparate() {
        BufferPool pool = new BufferPool();
        INDArray first = pool.get("x", DataType.FLOAT, 2, 3).assign(7);
        INDArray other = pool.get("y", DataType.FLOAT, 2, 3).assign(1);
        INDArray grown = pool.get("x", DataType.FLOAT, 5, 3);
        assertArrayEquals(new long[]{5, 3}, grown.shape());
        grown.assign(2);
        assertEquals(7f, first.getFloat(0, 0), 0f, "the old block is left alone (its arrays may still be read)");
        assertEquals(1f, other.getFloat(1, 2), 0f);
        assertEquals(DataType.DOUBLE, pool.get("x", DataType.DOUBLE, 2, 3).dataType());
    }

    @Test
    void eachThreadKeepsOnePoolPerLayerNameAcrossLayerInstances() throws Exception {
        BufferPool block0 = BufferPool.ofThread("test/block0");
        block0.get("qkv", DataType.FLOAT, 4, 6).assign(5);
        assertSame(block0, BufferPool.ofThread("test/block0"), "a new layer instance of the same name gets the same pool");
        assertEquals(5f, BufferPool.ofThread("test/block0").get("qkv", DataType.FLOAT, 2, 6).getFloat(1, 5), 0f,
                "and the block it allocated before");
        assertNotSame(block0, BufferPool.ofThread("test/block1"), "another layer of the graph has its own");
        BufferPool[] elsewhere = new BufferPool[1];
        Thread other = new Thread(() -> elsewhere[0] = BufferPool.ofThread("test/block0"));
        other.start();
        other.join();
        assertNotSame(block0, elsewhere[0], "another thread (another Spark task) has its own");
    }
}
