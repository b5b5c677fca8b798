package ai.posttrain.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** RMS normalisation over the channels of row-form activations [N, C] (HF LlamaRMSNorm), forward and backward. */
final class RmsNorm {

    /** Forward results kept for the backward pass. */
    record Cache(INDArray xhat, INDArray rstd) {
    }

    private RmsNorm() {
    }

    /** y = x / sqrt(mean(x^2) + eps) * gain; returns y and fills the cache when given. */
    static INDArray forward(INDArray x, INDArray gain, double eps, Cache[] cacheOut) {
        INDArray ms = x.mul(x).mean(1).reshape(x.size(0), 1);
        INDArray rstd = Transforms.pow(ms.addi(eps), -0.5, false);
        INDArray xhat = x.mulColumnVector(rstd);
        if (cacheOut != null) cacheOut[0] = new Cache(xhat, rstd);
        return xhat.mulRowVector(gain);
    }

    /** Writes d gain into its gradient view and returns dx. */
    static INDArray backward(INDArray dy, Cache c, INDArray gain, INDArray dGain) {
        dGain.assign(LayerWorkspaces.columnSums(dy.mul(c.xhat())).reshape(dGain.shape()));
        INDArray dxhat = dy.mulRowVector(gain);
        INDArray meanDX = dxhat.mul(c.xhat()).mean(1).reshape(dy.size(0), 1);
        // dx = rstd * (dxhat - xhat * mean(dxhat * xhat))
        return dxhat.subi(c.xhat().mulColumnVector(meanDX)).muliColumnVector(c.rstd());
    }
}
