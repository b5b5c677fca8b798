package ai.posttrain.model;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;

/**
 * Forward and backward of {@link LlamaBlock} in row form [N = mb*T, d]: every projection is one gemm over all
 * positions (q, k and v fused, gate and up fused), attention is batched over (sequence, key/value head).
 */
public class LlamaBlockImpl extends BlockLayerImpl<LlamaBlock, LlamaBlockImpl.Cache> {

    /** What the backward pass needs from the forward pass. */
    static final class Cache extends Cached {
        RmsNorm.Cache norm1, norm2;
        INDArray h1, q, k, v, p, att, h2, gate, up, sig, silu, a;
        Rotary rotary;
    }

    private Rotary rotaryTable;

    public LlamaBlockImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** @param training keeps the largest results in this layer's pooled buffers (inference allocates, and frees them) */
    @Override
    protected Cache forward(INDArray in, INDArray mask, boolean training) {
        BufferPool buffers = training ? trainingBuffers() : new BufferPool();
        LlamaBlock conf = layerConf();
        int heads = conf.getHeads(), kv = conf.getKvHeads(), hd = conf.headSize(), ff = conf.getDFf();
        long mb = in.size(0);
        int t = (int) in.size(2);
        if (t > conf.getMaxSeqLen()) throw new IllegalArgumentException("sequence length " + t + " > maxSeqLen " + conf.getMaxSeqLen());
        Cache c = new Cache();
        c.input = in;
        INDArray x = Seq.toRows(in);

        RmsNorm.Cache[] nc = new RmsNorm.Cache[1];
        c.h1 = RmsNorm.forward(x, params.get("attnNorm"), conf.getNormEps(), nc);
        c.norm1 = nc[0];
        DataType type = x.dataType();
        long n = x.size(0);
        INDArray qkv = buffers.get("qkv", type, n, conf.qkvWidth());
        Nd4j.gemm(c.h1, params.get("Wqkv"), qkv, false, false, 1.0, 0.0);
        if (conf.isQkvBias()) qkv.addiRowVector(params.get("bqkv"));
        INDArray[] split = HeadLayout.split(qkv, mb, t, heads, kv, hd);
        if (rotaryTable == null || rotaryTable.t != t || rotaryTable.cos.dataType() != x.dataType())
            rotaryTable = new Rotary(t, hd, 0, conf.getRopeTheta(), conf.ropeScaling(), x.dataType()); // reused while T stays the same
        c.rotary = rotaryTable;
        c.q = c.rotary.apply(split[0]);
        c.k = c.rotary.apply(split[1]);
        c.v = split[2];
        c.p = Attention.probabilities(c.q, c.k, Attention.mask(mask, mb, t, t, 0, x.dataType()), heads, buffers);
        c.att = HeadLayout.toRows(Attention.mix(c.p, c.v), mb, t, heads, hd);
        INDArray x1 = Nd4j.matmul(c.att, params.get("Wo")).addi(x);

        c.h2 = RmsNorm.forward(x1, params.get("mlpNorm"), conf.getNormEps(), nc);
        c.norm2 = nc[0];
        INDArray gu = buffers.get("gu", type, n, 2L * ff);
        Nd4j.gemm(c.h2, params.get("Wgu"), gu, false, false, 1.0, 0.0);
        c.gate = buffers.get("gate", type, n, ff).assign(gu.get(NDArrayIndex.all(), NDArrayIndex.interval(0, ff)));
        c.up = buffers.get("up", type, n, ff).assign(gu.get(NDArrayIndex.all(), NDArrayIndex.interval(ff, 2L * ff)));
        c.sig = buffers.get("sig", type, n, ff);
        Nd4j.exec(new Sigmoid(c.gate, c.sig));
        c.silu = c.gate.mul(c.sig, buffers.get("silu", type, n, ff));
        c.a = c.silu.mul(c.up, buffers.get("a", type, n, ff));
        c.output = buffers.get("out", type, n, conf.getDModel());
        Nd4j.gemm(c.a, params.get("Wdown"), c.output, false, false, 1.0, 0.0);
        c.output.addi(x1);
        return c;
    }

    @Override
    protected INDArray backward(Cache c, INDArray epsilon) {
        LlamaBlock conf = layerConf();
        int heads = conf.getHeads(), kv = conf.getKvHeads(), hd = conf.headSize();
        long mb = input.size(0);
        int t = (int) input.size(2);
        INDArray dy = Seq.toRows(epsilon);

        // MLP branch: y = x1 + (silu(gate) * up) Wdown
        Nd4j.gemm(c.a, dy, gradientViews.get("Wdown"), true, false, 1.0, 0.0);   // straight into the gradient view
        INDArray da = Nd4j.matmul(dy, params.get("Wdown"), false, true, false);
        // d silu(g)/dg = s + g s (1 - s) = s (1 + g (1 - s))
        INDArray dGate = c.sig.rsub(1.0).muli(c.gate).addi(1.0).muli(c.sig).muli(c.up).muli(da);
        INDArray dUp = da.mul(c.silu);
        INDArray dGu = Nd4j.hstack(dGate, dUp);
        Nd4j.gemm(c.h2, dGu, gradientViews.get("Wgu"), true, false, 1.0, 0.0);   // straight into the gradient view
        INDArray dx1 = RmsNorm.backward(Nd4j.matmul(dGu, params.get("Wgu"), false, true, false), c.norm2, params.get("mlpNorm"),
                gradientViews.get("mlpNorm")).addi(dy);

        // attention branch: x1 = x + att Wo
        Nd4j.gemm(c.att, dx1, gradientViews.get("Wo"), true, false, 1.0, 0.0);   // straight into the gradient view
        INDArray dAtt = HeadLayout.toHeads(Nd4j.matmul(dx1, params.get("Wo"), false, true, false), mb, t, heads, hd);
        INDArray[] dqkv = new INDArray[3];
        Attention.backward(dAtt, c.q, c.k, c.v, c.p, dqkv);
        dqkv[0] = c.rotary.backward(dqkv[0]);
        dqkv[1] = c.rotary.backward(dqkv[1]);
        INDArray dQkv = HeadLayout.join(dqkv, mb, t, heads, kv, hd);
        Nd4j.gemm(c.h1, dQkv, gradientViews.get("Wqkv"), true, false, 1.0, 0.0);   // straight into the gradient view
        if (conf.isQkvBias()) gradientViews.get("bqkv").assign(LayerWorkspaces.columnSums(dQkv).reshape(1, conf.qkvWidth()));
        INDArray dx = RmsNorm.backward(Nd4j.matmul(dQkv, params.get("Wqkv"), false, true, false), c.norm1, params.get("attnNorm"),
                gradientViews.get("attnNorm")).addi(dx1);
        return Seq.fromRows(dx, mb, t).detach();
    }
}
