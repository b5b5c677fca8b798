package ai.posttrain.model;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
