package ai.posttrain.model;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;

/**
 * Forward and backward of {@link TransformerBlock} in row form [N = mb*T, d]: every projection is one
 * gemm over all positions, attention is batched over (sequence, head). The forward pass keeps what the
 * backward pass needs; backward recomputes it if the input changed in between.
 */
public class TransformerBlockImpl extends BlockLayerImpl<TransformerBlock, TransformerBlockImpl.Cache> {

    /** What the backward pass needs from the forward pass. */
    static final class Cache extends Cached {
        LayerNorm.Cache ln1, ln2;
        INDArray h1, q, k, v, p, att, h2, u, gate, a; // gate = sigmoid(1.702 u), a = gelu(u) = u * gate
        Rotary rotary;
    }

    private static final double GELU_K = 1.702;
    private Rotary rotaryTable;

    public TransformerBlockImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /**
     * Runs the block, keeping the intermediates for the backward pass.
     * @param training keeps the largest results in this layer's pooled buffers (inference allocates, and frees them)
     */
    @Override
    protected Cache forward(INDArray in, INDArray mask, boolean training) {
        BufferPool buffers = training ? trainingBuffers() : new BufferPool();
        TransformerBlock conf = layerConf();
        int d = conf.getDModel(), heads = conf.getHeads(), hd = d / heads;
        long mb = in.size(0);
        int t = (int) in.size(2);
        if (t > conf.getMaxSeqLen()) throw new IllegalArgumentException("sequence length " + t + " > maxSeqLen " + conf.getMaxSeqLen());
        Cache c = new Cache();
        c.input = in;
        INDArray x = Seq.toRows(in);

        LayerNorm.Cache[] lc = new LayerNorm.Cache[1];
        c.h1 = LayerNorm.forward(x, params.get("ln1g"), params.get("ln1b"), lc);
        c.ln1 = lc[0];
        DataType type = x.dataType();
        long n = x.size(0);
        INDArray qkv = buffers.get("qkv", type, n, 3L * d);
        Nd4j.gemm(c.h1, params.get("Wqkv"), qkv, false, false, 1.0, 0.0);
        qkv.addiRowVector(params.get("bqkv"));
        INDArray[] split = HeadLayout.split(qkv, mb, t, heads, heads, hd);
        c.q = split[0];
        c.k = split[1];
        c.v = split[2];
        if (conf.isRotary()) {
            if (rotaryTable == null || rotaryTable.t != t || rotaryTable.cos.dataType() != x.dataType())
                rotaryTable = new Rotary(t, hd, 0, x.dataType()); // reused while T stays the same
            c.rotary = rotaryTable;
            c.q = c.rotary.apply(c.q);
            c.k = c.rotary.apply(c.k);
        }
        INDArray m = Attention.mask(mask, mb, t, t, 0, type);
        c.p = Attention.probabilities(c.q, c.k, m, heads, buffers);
        c.att = HeadLayout.toRows(Attention.mix(c.p, c.v), mb, t, heads, hd);
        INDArray x1 = Nd4j.matmul(c.att, params.get("Wo")).addiRowVector(params.get("bo")).addi(x);

        c.h2 = LayerNorm.forward(x1, params.get("ln2g"), params.get("ln2b"), lc);
        c.ln2 = lc[0];
        int ff = conf.getDFf();
        c.u = buffers.get("u", type, n, ff);
        Nd4j.gemm(c.h2, params.get("W1"), c.u, false, false, 1.0, 0.0);
        c.u.addiRowVector(params.get("b1"));
        // GELU as x*sigmoid(1.702x) (ND4J's gelu formula) from the sigmoid op, which is ~3x faster
        // than ND4J's gelu op here; the gate is kept so the backward pass needs no transcendental op
        c.gate = buffers.get("gate", type, n, ff);
        Nd4j.exec(new Sigmoid(c.u.mul(GELU_K, c.gate), c.gate));
        c.a = c.u.mul(c.gate, buffers.get("a", type, n, ff));
        c.output = buffers.get("out", type, n, d);
        Nd4j.gemm(c.a, params.get("W2"), c.output, false, false, 1.0, 0.0);
        c.output.addiRowVector(params.get("b2")).addi(x1);
        return c;
    }

    @Override
    protected INDArray backward(Cache c, INDArray epsilon) {
        TransformerBlock conf = layerConf();
        int d = conf.getDModel(), heads = conf.getHeads(), hd = d / heads;
        long mb = input.size(0);
        int t = (int) input.size(2);
        INDArray dy = Seq.toRows(epsilon);

        // MLP branch
        INDArray dW2 = gradientViews.get("W2");
        dW2.assign(Nd4j.matmul(c.a, dy, true, false, false));
        gradientViews.get("b2").assign(LayerWorkspaces.columnSums(dy).reshape(1, d));
        // d/du u*s(ku) = s + k u s (1 - s) = s * (1 + k u (1 - s))
        INDArray geluGrad = c.gate.rsub(1.0).muli(c.u).muli(GELU_K).addi(1.0).muli(c.gate);
        INDArray du = Nd4j.matmul(dy, params.get("W2"), false, true, false).muli(geluGrad);
        gradientViews.get("W1").assign(Nd4j.matmul(c.h2, du, true, false, false));
        gradientViews.get("b1").assign(LayerWorkspaces.columnSums(du).reshape(1, conf.getDFf()));
        INDArray dh2 = Nd4j.matmul(du, params.get("W1"), false, true, false);
        INDArray dx1 = LayerNorm.backward(dh2, c.ln2, params.get("ln2g"), gradientViews.get("ln2g"), gradientViews.get("ln2b"))
                .addi(dy);

        // attention branch
        gradientViews.get("Wo").assign(Nd4j.matmul(c.att, dx1, true, false, false));
        gradientViews.get("bo").assign(LayerWorkspaces.columnSums(dx1).reshape(1, d));
        INDArray dAtt = HeadLayout.toHeads(Nd4j.matmul(dx1, params.get("Wo"), false, true, false), mb, t, heads, hd);
        INDArray[] dqkv = new INDArray[3];
        Attention.backward(dAtt, c.q, c.k, c.v, c.p, dqkv);
        if (c.rotary != null) {
            dqkv[0] = c.rotary.backward(dqkv[0]);
            dqkv[1] = c.rotary.backward(dqkv[1]);
        }
        INDArray dQkv = HeadLayout.join(dqkv, mb, t, heads, heads, hd);
        gradientViews.get("Wqkv").assign(Nd4j.matmul(c.h1, dQkv, true, false, false));
        gradientViews.get("bqkv").assign(LayerWorkspaces.columnSums(dQkv).reshape(1, 3L * d));
        INDArray dh1 = Nd4j.matmul(dQkv, params.get("Wqkv"), false, true, false);
        INDArray dx = LayerNorm.backward(dh1, c.ln1, params.get("ln1g"), gradientViews.get("ln1g"), gradientViews.get("ln1b"))
                .addi(dx1);
        return Seq.fromRows(dx, mb, t).detach();
    }
}
