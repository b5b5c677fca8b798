package ai.posttrain.model.head;

import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.LogSoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Forward and backward pass of every objective over the logits z = h W + b, without dense labels.
 *
 * <p>Positions are processed in row chunks of at most {@code maxLogits / V} rows: one gemm for the chunk's
 * logits, one in-place log-softmax, sparse gathers of the few log-probs each objective needs (target id,
 * teacher top-k ids), then in place exp -> softmax, a per-row scale and sparse corrections give dL/dz,
 * and two gemms give dL/dW and dL/dh. Every objective's dL/dz has the form a_r * p_r + sparse terms,
 * which is what makes this possible without a [N, V] label array. DPO needs sequence sums before any
 * gradient; when the minibatch spans several chunks a forward-only pre-pass gathers them.
 */
final class LmHeadLoss {
    private final HeadSettings s;
    private final long maxLogits;
    /** Reused logits/gradient buffer [rows, V], allocated outside any workspace. */
    private INDArray scratch;

    LmHeadLoss(HeadSettings settings, long maxLogits) {
        this.s = settings;
        this.maxLogits = maxLogits;
    }

    HeadSettings settings() { return s; }

    /** Where the backward pass writes: gradient views of W and b, dL/dh [N, nIn]; all scaled by {@code scale}. */
    record Grads(INDArray dW, INDArray db, INDArray dH, double scale) { }

    /** Total loss, each example's share of it (sums to loss), diagnostics. */
    record Result(double loss, double[] exampleLoss, HeadDiagnostics diagnostics) { }

    Result run(INDArray h2d, INDArray w, INDArray b, ParsedLabels pl, Grads grads) {
        int n = pl.positions(), tt = pl.timeSteps, v = (int) w.size(1), k = pl.topK;
        if (h2d.size(0) != n) throw new IllegalArgumentException("activations have " + h2d.size(0)
                + " positions but labels have minibatch*T = " + n);
        int chunk = chunkRows(v, n);
        Acc acc = new Acc(pl.examples);
        double[] dpoGrad = null;                       // dL/d(sum logp) per DPO example
        if (pl.dpoPairs > 0 && chunk < n) dpoGrad = dpo(dpoSumsPrePass(h2d, w, b, pl, chunk), pl, acc);
        double tau = s.temperature();
        double[] sTarget = new double[chunk];
        double[] a = new double[chunk];
        Sparse sparse = new Sparse(chunk * (long) Math.max(1, k));
        for (int r0 = 0; r0 < n; r0 += chunk) {
            int rows = Math.min(chunk, n - r0);
            INDArray z = logSoftmax(h2d, w, b, r0, rows, pl, true);
            DataBuffer buf = z.data();
            long off = z.offset();
            for (int i = 0; i < rows; i++) {
                int r = r0 + i;
                if (pl.mask[r] != 0 && pl.objective[r / tt] != Objective.KD)
                    sTarget[i] = buf.getDouble(off + (long) i * v + pl.target[r]);
            }
            if (pl.dpoPairs > 0 && dpoGrad == null) {  // single chunk: sums straight from the gather
                double[] pi = new double[pl.examples];
                for (int i = 0; i < rows; i++) if (pl.objective[i / tt] == Objective.DPO) pi[i / tt] += pl.mask[i] * sTarget[i];
                dpoGrad = dpo(pi, pl, acc);
            }
            java.util.Arrays.fill(a, 0);
            sparse.clear();
            for (int i = 0; i < rows; i++) {
                int r = r0 + i, e = r / tt;
                double m = pl.mask[r];
                if (m == 0) continue;
                switch (pl.objective[e]) {
                    case SFT -> {
                        double tok = pl.weight[r] * m * -sTarget[i];
                        acc.sft += tok;
                        acc.example[e] += s.sftWeight() * tok / pl.sftTokens;
                        double g = -s.sftWeight() * pl.weight[r] * m / pl.sftTokens;   // dL/d logp(target)
                        a[i] = -g;
                        if (grads != null) sparse.add((long) i * v + pl.target[r], g * grads.scale());
                    }
                    case KD -> {
                        double kl = 0;
                        for (int j = 0; j < k; j++) {
                            double q = pl.topQ[r * k + j];
                            if (q > 0) kl += q * (Math.log(q) - buf.getDouble(off + (long) i * v + pl.topId[r * k + j]));
                        }
                        double tok = tau * tau * pl.weight[r] * m * kl;
                        acc.kd += tok;
                        acc.example[e] += s.kdWeight() * tok / pl.kdTokens;
                        double c = s.kdWeight() * tau * pl.weight[r] * m / pl.kdTokens;   // dL/dz = c (p_tau - q)
                        a[i] = c;
                        if (grads != null)
                            for (int j = 0; j < k; j++) {
                                double q = pl.topQ[r * k + j];
                                if (q > 0) sparse.add((long) i * v + pl.topId[r * k + j], -c * q * grads.scale());
                            }
                    }
                    case DPO -> {
                        double g = dpoGrad[e] * m;
                        a[i] = -g;
                        if (grads != null) sparse.add((long) i * v + pl.target[r], g * grads.scale());
                    }
                    case PG -> {
                        double g = pgToken(pl, r, e, m, sTarget[i], acc);
                        a[i] = -g;
                        if (grads != null) sparse.add((long) i * v + pl.target[r], g * grads.scale());
                    }
                    case NONE -> { }
                }
            }
            if (grads != null) backward(z, a, sparse, rows, h2d, w, r0, grads);
        }
        return acc.result(pl, s);
    }

    /** Per-position log p(target) at temperature 1 (no labels needed). */
    double[] targetLogProbs(INDArray h2d, INDArray w, INDArray b, int[] targets) {
        int n = (int) h2d.size(0), v = (int) w.size(1);
        int chunk = chunkRows(v, n);
        double[] out = new double[n];
        for (int r0 = 0; r0 < n; r0 += chunk) {
            int rows = Math.min(chunk, n - r0);
            INDArray z = logSoftmax(h2d, w, b, r0, rows, null, false);
            DataBuffer buf = z.data();
            for (int i = 0; i < rows; i++) {
                int id = targets[r0 + i];
                if (id < 0 || id >= v) throw new IllegalArgumentException("target id " + id + " outside [0," + v + ")");
                out[r0 + i] = buf.getDouble(z.offset() + (long) i * v + id);
            }
        }
        return out;
    }

    private double pgToken(ParsedLabels pl, int r, int e, double m, double logp, Acc acc) {
        double adv = pl.advantage[e];
        double logRatio = logp - pl.oldLogp[r];
        double ratio = Math.exp(logRatio);
        double unclipped = ratio * adv;
        double clipped = Math.min(Math.max(ratio, 1 - s.clipLow()), 1 + s.clipHigh()) * adv;
        boolean clipBinds = clipped < unclipped;
        double tok = -Math.min(unclipped, clipped);
        double dTok = clipBinds ? 0 : -adv * ratio;                  // d tok / d logp
        double ref = pl.refLogp[r];
        if (!Double.isNaN(ref)) {
            double d = ref - logp;
            double k3 = Math.exp(d) - d - 1;
            tok += s.klCoef() * k3;
            dTok += s.klCoef() * (1 - Math.exp(d));
            acc.pgKlRef += m * k3;
        }
        acc.pg += m * tok;
        acc.example[e] += s.pgWeight() * m * tok / pl.pgTokens;
        acc.pgClip += clipBinds ? m : 0;
        acc.pgApproxKl += m * ((ratio - 1) - logRatio);
        acc.pgRatio += m * ratio;
        return s.pgWeight() * m * dTok / pl.pgTokens;
    }

    /** DPO losses per pair from the policy's sequence sums; returns dL/d(sum logp) per example. */
    private double[] dpo(double[] pi, ParsedLabels pl, Acc acc) {
        double[] grad = new double[pl.examples];
        double beta = s.beta();
        for (int c = 0; c + 1 < pl.examples; c += 2) {
            if (pl.objective[c] != Objective.DPO) continue;
            int rj = c + 1;
            double u = beta * ((pi[c] - pl.dpoRef[c]) - (pi[rj] - pl.dpoRef[rj]));
            double loss = u > 0 ? Math.log1p(Math.exp(-u)) : -u + Math.log1p(Math.exp(u));   // -log sigmoid(u)
            double sigNeg = 1 / (1 + Math.exp(u));                                            // sigmoid(-u)
            double scale = s.dpoWeight() / pl.dpoPairs;
            if (s.dpoNll() > 0) {   // RPO: the chosen completion's mean NLL, so DPO cannot win by lowering both
                double tokens = 0;
                for (int t = c * pl.timeSteps; t < (c + 1) * pl.timeSteps; t++) tokens += pl.mask[t];
                tokens = Math.max(tokens, 1);
                loss += s.dpoNll() * -pi[c] / tokens;
                grad[c] -= scale * s.dpoNll() / tokens;
            }
            grad[c] -= scale * beta * sigNeg;
            grad[rj] = scale * beta * sigNeg;
            acc.dpo += loss;
            acc.example[c] += scale * loss / 2;
            acc.example[rj] += scale * loss / 2;
            acc.dpoCorrect += u > 0 ? 1 : 0;
            acc.dpoMargin += u;
        }
        return grad;
    }

    private double[] dpoSumsPrePass(INDArray h2d, INDArray w, INDArray b, ParsedLabels pl, int chunk) {
        int n = pl.positions(), tt = pl.timeSteps, v = (int) w.size(1);
        double[] pi = new double[pl.examples];
        for (int r0 = 0; r0 < n; r0 += chunk) {
            int rows = Math.min(chunk, n - r0);
            boolean any = false;
            for (int i = 0; i < rows && !any; i++) any = pl.objective[(r0 + i) / tt] == Objective.DPO && pl.mask[r0 + i] != 0;
            if (!any) continue;
            INDArray z = logSoftmax(h2d, w, b, r0, rows, null, false);
            DataBuffer buf = z.data();
            for (int i = 0; i < rows; i++) {
                int r = r0 + i;
                if (pl.objective[r / tt] == Objective.DPO && pl.mask[r] != 0)
                    pi[r / tt] += pl.mask[r] * buf.getDouble(z.offset() + (long) i * v + pl.target[r]);
            }
        }
        return pi;
    }

    /** log-softmax of the chunk's logits in the scratch buffer; KD rows at temperature tau when asked. */
    private INDArray logSoftmax(INDArray h2d, INDArray w, INDArray b, int r0, int rows, ParsedLabels pl, boolean kdTemperature) {
        INDArray z = scratchRows(rows, w);
        INDArray h = h2d.get(NDArrayIndex.interval(r0, r0 + rows), NDArrayIndex.all());
        Nd4j.gemm(h, w, z, false, false, 1.0, 0.0);
        z.addiRowVector(b);
        if (kdTemperature && pl != null && s.temperature() != 1.0 && pl.kdTokens > 0) {
            double[] inv = new double[rows];
            boolean any = false;
            for (int i = 0; i < rows; i++) {
                boolean kd = pl.objective[(r0 + i) / pl.timeSteps] == Objective.KD;
                inv[i] = kd ? 1 / s.temperature() : 1;
                any |= kd;
            }
            if (any) z.muliColumnVector(column(inv, rows, z));
        }
        Nd4j.exec(new LogSoftMax(z, z));   // over the last (vocabulary) axis
        return z;
    }

    /** dz = a_r * softmax (+ sparse terms already written), then dW += h^T dz, db += sum dz, dH = dz W^T. */
    private void backward(INDArray z, double[] a, Sparse sparse, int rows, INDArray h2d, INDArray w, int r0, Grads g) {
        double[] scaled = new double[rows];
        for (int i = 0; i < rows; i++) scaled[i] = a[i] * g.scale();
        Transforms.exp(z, false);                       // log-softmax -> softmax, in place
        z.muliColumnVector(column(scaled, rows, z));
        DataBuffer buf = z.data();
        for (int i = 0; i < sparse.size; i++) addAt(buf, z.offset() + sparse.index[i], sparse.value[i]);
        INDArray h = h2d.get(NDArrayIndex.interval(r0, r0 + rows), NDArrayIndex.all());
        boolean first = r0 == 0;
        Nd4j.gemm(h, z, g.dW(), true, false, 1.0, first ? 0.0 : 1.0);
        if (g.db() != null) {   // null: the head has no trained bias (a pass over [rows, vocab] saved)
            INDArray colSum = z.sum(0).reshape(g.db().shape());   // b's gradient view may be rank 1
            if (first) g.db().assign(colSum); else g.db().addi(colSum);
        }
        INDArray dh = g.dH().get(NDArrayIndex.interval(r0, r0 + rows), NDArrayIndex.all());
        Nd4j.gemm(z, w, dh, false, true, 1.0, 0.0);
    }

    /** Sparse dL/dz terms of a chunk: (row * V + column, value), applied after the softmax part. */
    private static final class Sparse {
        long[] index;
        double[] value;
        int size;

        Sparse(long capacity) {
            index = new long[(int) Math.max(16, capacity)];
            value = new double[index.length];
        }

        void add(long idx, double v) {
            if (size == index.length) {
                index = java.util.Arrays.copyOf(index, size * 2);
                value = java.util.Arrays.copyOf(value, size * 2);
            }
            index[size] = idx;
            value[size++] = v;
        }

        void clear() {
            size = 0;
        }
    }

    private static void addAt(DataBuffer buf, long idx, double v) {
        buf.put(idx, buf.getDouble(idx) + v);
    }

    private static INDArray column(double[] values, int rows, INDArray like) {
        return Nd4j.createFromArray(values).castTo(like.dataType()).reshape(rows, 1);
    }

    private int chunkRows(int v, int n) {
        return (int) Math.max(1, Math.min(n, maxLogits / Math.max(1, v)));
    }

    private INDArray scratchRows(int rows, INDArray w) {
        long v = w.size(1);
        if (scratch == null || scratch.dataType() != w.dataType() || scratch.size(1) != v || scratch.size(0) < rows) {
            try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                scratch = Nd4j.createUninitialized(w.dataType(), new long[]{rows, v}, 'c');
            }
        }
        return rows == scratch.size(0) ? scratch : scratch.get(NDArrayIndex.interval(0, rows), NDArrayIndex.all());
    }

    /** Running sums of one pass. */
    private static final class Acc {
        final double[] example;
        double sft, kd, dpo, pg, dpoCorrect, dpoMargin, pgClip, pgApproxKl, pgKlRef, pgRatio;

        Acc(int examples) {
            example = new double[examples];
        }

        Result result(ParsedLabels pl, HeadSettings s) {
            double sftL = pl.sftTokens > 0 ? sft / pl.sftTokens : 0;
            double kdL = pl.kdTokens > 0 ? kd / pl.kdTokens : 0;
            double dpoL = pl.dpoPairs > 0 ? dpo / pl.dpoPairs : 0;
            double pgL = pl.pgTokens > 0 ? pg / pl.pgTokens : 0;
            double loss = s.sftWeight() * sftL + s.kdWeight() * kdL + s.dpoWeight() * dpoL + s.pgWeight() * pgL;
            double pgN = Math.max(pl.pgTokens, Double.MIN_VALUE), dpoN = Math.max(pl.dpoPairs, 1);
            HeadDiagnostics d = new HeadDiagnostics(loss, sftL, kdL, dpoL, pgL, pl.sftTokens, pl.kdTokens,
                    pl.dpoPairs, pl.pgTokens, dpoCorrect / dpoN, dpoMargin / dpoN,
                    pl.pgTokens > 0 ? pgClip / pgN : 0, pl.pgTokens > 0 ? pgApproxKl / pgN : 0,
                    pl.pgTokens > 0 ? pgKlRef / pgN : 0, pl.pgTokens > 0 ? pgRatio / pgN : 0);
            return new Result(loss, example, d);
        }
    }
}
