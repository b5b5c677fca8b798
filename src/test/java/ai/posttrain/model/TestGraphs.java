package ai.posttrain.model;

import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;

import java.util.Random;

/** Small graphs and batches for the model tests; the output layer is DL4J's own softmax + sparse cross-entropy. */
final class TestGraphs {
    private TestGraphs() {
    }

    static RnnOutputLayer sparseSoftmaxHead(ModelConfig cfg) {
        return new RnnOutputLayer.Builder(new LossSparseMCXENT()).activation(Activation.SOFTMAX)
                .nIn(cfg.dModel()).nOut(cfg.vocab()).build();
    }

    static ComputationGraph graph(ModelConfig cfg, IUpdater updater, long seed, DataType type) {
        return TransformerGraph.build(cfg, sparseSoftmaxHead(cfg), updater, seed, type);
    }

    /** Random ids [mb, 1, T] (as the network's float type). */
    static INDArray randomIds(int mb, int t, int vocab, long seed, DataType type) {
        Random r = new Random(seed);
        double[] v = new double[mb * t];
        for (int i = 0; i < v.length; i++) v[i] = r.nextInt(vocab);
        return Nd4j.create(v, new long[]{mb, 1, t}, DataType.DOUBLE).castTo(type);
    }

    /** Padding-at-the-end mask [mb, T]: sequence b has lengths[b] real tokens. */
    static INDArray lengthMask(int[] lengths, int t, DataType type) {
        double[] v = new double[lengths.length * t];
        for (int b = 0; b < lengths.length; b++)
            for (int i = 0; i < lengths[b]; i++) v[b * t + i] = 1;
        return Nd4j.create(v, new long[]{lengths.length, t}, DataType.DOUBLE).castTo(type);
    }
}
