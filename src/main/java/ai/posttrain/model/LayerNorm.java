package ai.posttrain.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Layer normalisation over the channels of row-form activations [N, C], forward and backward. */
final class LayerNorm {
    static final double EPS = 1e-5;

    /** Forward results kept for the backward pass. */
    record Cache(INDArray xhat, INDArray rstd) {
    }

    private LayerNorm() {
    }

    /** y = (x - mean) / sqrt(var + eps) * gain + bias; returns y and fills the cache. */
    static INDArray forward(INDArray x, INDArray gain, INDArray bias, Cache[] cacheOut) {
        INDArray mean = x.mean(1).reshape(x.size(0), 1);
        INDArray xc = x.subColumnVector(mean);
        INDArray var = xc.mul(xc).mean(1).reshape(x.size(0), 1);
        INDArray rstd = Transforms.pow(var.addi(EPS), -0.5, false);
        INDArray xhat = xc.muliColumnVector(rstd);
        if (cacheOut != null) cacheOut[0] = new Cache(xhat, rstd);
        return xhat.mulRowVector(gain).addiRowVector(bias);
    }

    /** Writes d gain and d bias into the given gradient views and returns dx. */
    static INDArray backward(INDArray dy, Cache c, INDArray gain, INDArray dGain, INDArray dBias) {
        dGain.assign(LayerWorkspaces.columnSums(dy.mul(c.xhat())).reshape(dGain.shape()));
        dBias.assign(LayerWorkspaces.columnSums(dy).reshape(dBias.shape()));
        INDArray dxhat = dy.mulRowVector(gain);
        long n = dy.size(0);
        INDArray meanD = dxhat.mean(1).reshape(n, 1);
        INDArray meanDX = dxhat.mul(c.xhat()).mean(1).reshape(n, 1);
        // dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))
        return dxhat.subiColumnVector(meanD).subi(c.xhat().mulColumnVector(meanDX)).muliColumnVector(c.rstd());
    }
}
