package ai.posttrain.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Batched incremental decoding with the graph's parameters as they are when the sampler is built (embedding, blocks, final norm and
 * lm_head "W" [d, vocab] / "b" [1, vocab]): each prompt is prefilled on its own (positions start at 0,
 * as in training), then all sequences decode one token per step together, each at its own position,
 * attending over a per-layer key/value cache [mb*H, capacity, hd].
 * {@link #generateUncached} recomputes every sequence from scratch each step instead (for benchmarks
 * and as a cross-check).
 */
public final class Sampler {
    /**
     * Scratch memory reused by every prefill and decode step (per thread): fresh off-heap buffers for
     * each small op cost more than the op itself at one token per sequence.
     */
    private static final WorkspaceConfiguration STEP_WORKSPACE = LayerWorkspaces.CONFIG;
    private static final String STEP_WORKSPACE_ID = "Sampler/step";

    private final ModelConfig cfg;
    private final INDArray embedding;
    private final INDArray positions;
    private final BlockInference[] blocks;
    private final FinalNorm normConf;
    private final INDArray normG, normB, headW, headB;
    private final DataType type;
    private final INDArray rotateHalf;   // [hd, hd], built once: decode steps only need it with new angles

    public Sampler(ComputationGraph graph, ModelConfig cfg) {
        this.cfg = cfg;
        Layer embed = graph.getLayer(TransformerGraph.EMBED);
        this.embedding = embed.getParam("E");
        this.positions = cfg.rotary() ? null : embed.getParam("P");
        this.blocks = new BlockInference[cfg.layers()];
        for (int i = 0; i < cfg.layers(); i++) blocks[i] = BlockInference.of(graph.getLayer(TransformerGraph.block(i)));
        Layer norm = graph.getLayer(TransformerGraph.FINAL_NORM);
        this.normConf = (FinalNorm) norm.conf().getLayer();
        this.normG = norm.getParam("g");
        this.normB = normConf.isRms() ? null : norm.getParam("b");
        Layer head = graph.getLayer(TransformerGraph.HEAD);
        this.headW = head.getParam("W");
        this.headB = head.getParam("b");
        this.type = embedding.dataType();
        this.rotateHalf = cfg.rotary() ? new Rotary(1, cfg.headSize(), 0, cfg.ropeTheta(), type).rot : null;
    }

    /** KV-cached generation for a batch of prompts; one random stream, from the options' seed, serves every row. */
    public List<Sample> generate(List<int[]> prompts, SamplingOptions options) {
        return generate(prompts, options, null);
    }

    /**
     * KV-cached generation where row b samples from a random stream of its own, seeded with {@code rowSeeds[b]} (null:
     * one stream from the options' seed): a row's sample then does not depend on which other rows share its batch.
     */
    public List<Sample> generate(List<int[]> prompts, SamplingOptions options, long[] rowSeeds) {
        int mb = prompts.size(), hd = cfg.headSize();
        int longest = 0;
        for (int[] p : prompts) longest = Math.max(longest, p.length);
        KvCache cache = new KvCache(cfg.layers(), (long) mb * cfg.kvHeads(), hd, cfg.maxSeqLen(), longest + 1, type);
        Generation gen = new Generation(prompts, options, rowSeeds, cfg.maxSeqLen());
        double[][] logits = new double[mb][];
        // A group's samples share one prompt: it is run through the model once and its cache rows copied.
        Map<IntBuffer, Integer> prefilled = new HashMap<>();
        for (int b = 0; b < mb; b++) {
            int[] prompt = prompts.get(b);
            Integer same = prefilled.putIfAbsent(IntBuffer.wrap(prompt), b);
            if (same != null) {
                cache.copySlot(same, b, prompt.length, cfg.kvHeads());
                logits[b] = logits[same].clone();
                continue;
            }
            try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(STEP_WORKSPACE, STEP_WORKSPACE_ID)) {
                logits[b] = prefill(prompt, cache, b);
            }
        }
        int[] ids = new int[mb], pos = new int[mb];
        while (gen.advance(logits, ids, pos)) {
            int span = 0;
            for (int p : pos) span = Math.max(span, p + 1);
            cache.ensureCapacity(span);   // outside the workspace: the cache outlives every step
            try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(STEP_WORKSPACE, STEP_WORKSPACE_ID)) {
                logits = decodeStep(ids, pos, cache).toDoubleMatrix();
            }
        }
        return gen.results();
    }

    /**
     * {@link #generate} with at most as many new tokens as the longest prompt leaves room for in the
     * model's context (at least one), so a batch of long prompts never overruns it.
     */
    public List<Sample> generateFitting(List<int[]> prompts, SamplingOptions options) {
        return generateFitting(prompts, options, null);
    }

    /** {@link #generateFitting(List, SamplingOptions)} with a random stream per row (see {@link #generate(List, SamplingOptions, long[])}). */
    public List<Sample> generateFitting(List<int[]> prompts, SamplingOptions options, long[] rowSeeds) {
        int longest = 0;
        for (int[] p : prompts) longest = Math.max(longest, p.length);
        int room = Math.max(1, Math.min(options.maxNewTokens(), cfg.maxSeqLen() - longest));
        return generate(prompts, options.withMaxNewTokens(room), rowSeeds);
    }

    /** The same generation without a cache: every step runs each whole sequence through the model. */
    public List<Sample> generateUncached(List<int[]> prompts, SamplingOptions options) {
        int mb = prompts.size();
        Generation gen = new Generation(prompts, options, null, cfg.maxSeqLen());
        double[][] logits = new double[mb][];
        for (int b = 0; b < mb; b++) logits[b] = prefill(prompts.get(b), null, 0);
        int[] ids = new int[mb], pos = new int[mb];
        while (gen.advance(logits, ids, pos)) {
            for (int b = 0; b < mb; b++) if (!gen.finished(b)) logits[b] = prefill(gen.sequence(b), null, 0);
        }
        return gen.results();
    }

    /** Runs one whole sequence (positions 0..T-1), fills cache slot b when given; returns the last position's logits. */
    private double[] prefill(int[] tokens, KvCache cache, int slot) {
        int t = tokens.length, h = cfg.heads(), kv = cfg.kvHeads(), hd = cfg.headSize();
        if (t == 0) throw new IllegalArgumentException("empty prompt");
        if (t > cfg.maxSeqLen()) throw new IllegalArgumentException("prompt of " + t + " tokens > maxSeqLen " + cfg.maxSeqLen());
        int[] pos = new int[t];
        for (int i = 0; i < t; i++) pos[i] = i;
        INDArray x = embed(tokens, pos);
        INDArray mask = Attention.mask(null, 1, t, t, 0, type);
        Rotary rotary = cfg.rotary() ? new Rotary(t, hd, 0, cfg.ropeTheta(), cfg.ropeScaling(), type) : null;
        for (int l = 0; l < blocks.length; l++) {
            INDArray[] s = HeadLayout.split(blocks[l].qkv(x), 1, t, h, kv, hd);
            INDArray q = rotary == null ? s[0] : rotary.apply(s[0]);
            INDArray k = rotary == null ? s[1] : rotary.apply(s[1]);
            if (cache != null) {
                KvCache.prefix(cache.keys[l], slot, kv, t).assign(k);
                KvCache.prefix(cache.values[l], slot, kv, t).assign(s[2]);
            }
            INDArray p = Attention.probabilities(q, k, mask, h);
            INDArray att = HeadLayout.toRows(Attention.mix(p, s[2]), 1, t, h, hd);
            x = blocks[l].mlp(blocks[l].attentionOut(att, x));
        }
        INDArray last = x.getRow(t - 1).reshape(1, cfg.dModel()).dup();
        return logits(last).toDoubleVector();
    }

    /** One token per sequence: ids[b] at position pos[b]; returns logits [mb, vocab]. */
    private INDArray decodeStep(int[] ids, int[] pos, KvCache cache) {
        int mb = ids.length, h = cfg.heads(), kv = cfg.kvHeads(), hd = cfg.headSize();
        int span = cache.capacity();
        INDArray x = embed(ids, pos);
        INDArray mask = stepMask(pos, span);
        INDArray[] rotQ = cfg.rotary() ? rotaryRows(pos, h, hd) : null;
        INDArray[] rotK = cfg.rotary() ? (kv == h ? rotQ : rotaryRows(pos, kv, hd)) : null;
        for (int l = 0; l < blocks.length; l++) {
            INDArray[] s = HeadLayout.split(blocks[l].qkv(x), mb, 1, h, kv, hd); // q [mb*H, 1, hd], k, v [mb*KV, 1, hd]
            INDArray q = s[0], k = s[1];
            if (rotQ != null) {
                q = rotateRows(q, rotQ, hd);
                k = rotateRows(k, rotK, hd);
            }
            for (int b = 0; b < mb; b++) {
                cache.keys[l].get(NDArrayIndex.interval((long) b * kv, (long) b * kv + kv), NDArrayIndex.point(pos[b]), NDArrayIndex.all())
                        .assign(k.get(NDArrayIndex.interval((long) b * kv, (long) b * kv + kv), NDArrayIndex.point(0), NDArrayIndex.all()));
                cache.values[l].get(NDArrayIndex.interval((long) b * kv, (long) b * kv + kv), NDArrayIndex.point(pos[b]), NDArrayIndex.all())
                        .assign(s[2].get(NDArrayIndex.interval((long) b * kv, (long) b * kv + kv), NDArrayIndex.point(0), NDArrayIndex.all()));
            }
            INDArray p = Attention.probabilities(q, cache.keys[l], mask, h);
            INDArray att = Attention.mix(p, cache.values[l]).reshape('c', mb, (long) h * hd); // [mb*H,1,hd] is already b-major
            x = blocks[l].mlp(blocks[l].attentionOut(att, x));
        }
        return logits(x);
    }

    private INDArray logits(INDArray rows) {
        return BlockInference.project(FinalNormImpl.apply(normConf, rows, normG, normB), headW).addiRowVector(headB.reshape(1, cfg.vocab()));
    }

    private INDArray embed(int[] ids, int[] pos) {
        for (int id : ids)
            if (id < 0 || id >= cfg.vocab()) throw new IllegalArgumentException("token id " + id + " outside vocab " + cfg.vocab());
        INDArray x = Nd4j.pullRows(embedding, 1, ids);
        if (positions != null) x.addi(Nd4j.pullRows(positions, 1, pos));
        return x;
    }

    /** Key j is visible to sequence b's new token iff j <= pos[b]: [mb, 1, 1, span]. */
    private INDArray stepMask(int[] pos, int span) {
        double[] m = new double[pos.length * span];
        for (int b = 0; b < pos.length; b++)
            for (int j = 0; j < span; j++) m[b * span + j] = j <= pos[b] ? 0 : Attention.NEG;
        return Nd4j.create(m, new long[]{pos.length, 1, 1, span}, DataType.DOUBLE).castTo(type);
    }

    /** cos, sin [mb*h, hd] and the rotation matrix for per-sequence positions (h heads per sequence). */
    private INDArray[] rotaryRows(int[] pos, int h, int hd) {
        double[] c = new double[pos.length * h * hd], s = new double[c.length];

        for (int b = 0; b < pos.length; b++)
            for (int hh = 0; hh < h; hh++)
                for (int i = 0; i < hd; i++) {
                    double angle = pos[b] * Rotary.inverseFrequency(i, hd, cfg.ropeTheta(), cfg.ropeScaling());
                    c[(b * h + hh) * hd + i] = Math.cos(angle);
                    s[(b * h + hh) * hd + i] = Math.sin(angle);
                }
        long[] shape = {(long) pos.length * h, hd};
        return new INDArray[]{Nd4j.create(c, shape, DataType.DOUBLE).castTo(type),
                Nd4j.create(s, shape, DataType.DOUBLE).castTo(type), rotateHalf};
    }

    private static INDArray rotateRows(INDArray x, INDArray[] rot, int hd) {
        INDArray rows = x.reshape('c', x.size(0), hd);
        return rows.mul(rot[0]).addi(Nd4j.matmul(rows, rot[2]).muli(rot[1])).reshape('c', x.size(0), 1, hd);
    }

    /**
     * Per-layer key and value caches [mb*H, capacity, hd]. The capacity grows in chunks as sequences
     * get longer, so a decode step attends over the whole (masked) cache without copying its used part.
     */
    private static final class KvCache {
        private static final int CHUNK = 32;
        final INDArray[] keys, values;
        private final long rows;
        private final int hd, maxLen;
        private final DataType type;
        private int capacity;

        KvCache(int layers, long rows, int hd, int maxLen, int initial, DataType type) {
            this.keys = new INDArray[layers];
            this.values = new INDArray[layers];
            this.rows = rows;
            this.hd = hd;
            this.maxLen = maxLen;
            this.type = type;
            for (int l = 0; l < layers; l++) {
                keys[l] = Nd4j.zeros(type, rows, 0, hd);
                values[l] = Nd4j.zeros(type, rows, 0, hd);
            }
            ensureCapacity(initial);
        }

        int capacity() { return capacity; }

        void ensureCapacity(int needed) {
            if (needed <= capacity) return;
            int grown = Math.min(maxLen, ((needed + CHUNK - 1) / CHUNK + 1) * CHUNK);
            for (int l = 0; l < keys.length; l++) {
                keys[l] = grow(keys[l], grown);
                values[l] = grow(values[l], grown);
            }
            capacity = grown;
        }

        /** Positions 0..length-1 of slot {@code slot}'s kv rows in one layer's keys or values: a view. */
        static INDArray prefix(INDArray layer, int slot, int kv, int length) {
            return layer.get(NDArrayIndex.interval((long) slot * kv, (long) slot * kv + kv), NDArrayIndex.interval(0, length), NDArrayIndex.all());
        }

        /** Copies positions 0..length-1 of slot {@code from} into slot {@code to}, in every layer. */
        void copySlot(int from, int to, int length, int kv) {
            for (INDArray[] cacheOf : new INDArray[][]{keys, values})
                for (INDArray layer : cacheOf) prefix(layer, to, kv, length).assign(prefix(layer, from, kv, length));
        }

        private INDArray grow(INDArray old, int size) {
            INDArray bigger = Nd4j.zeros(type, rows, size, hd);
            if (capacity > 0) bigger.get(NDArrayIndex.all(), NDArrayIndex.interval(0, capacity), NDArrayIndex.all()).assign(old);
            return bigger;
        }
    }

    /** Bookkeeping of a batch: chosen tokens, log-probs, stop/length decisions. */
    private static final class Generation {
        private final SamplingOptions options;
        private final TokenChooser[] choosers;   // per row; without row seeds every row holds the one shared chooser
        private final int maxSeqLen;
        private final List<int[]> prompts;
        private final List<List<Integer>> tokens = new ArrayList<>();
        private final List<List<Double>> logProbs = new ArrayList<>();
        private final String[] finish;

        Generation(List<int[]> prompts, SamplingOptions options, long[] rowSeeds, int maxSeqLen) {
            if (rowSeeds != null && rowSeeds.length != prompts.size())
                throw new IllegalArgumentException(rowSeeds.length + " row seeds for " + prompts.size() + " prompts");
            this.options = options;
            this.choosers = new TokenChooser[prompts.size()];
            if (rowSeeds == null) Arrays.fill(choosers, new TokenChooser(options));
            else for (int b = 0; b < rowSeeds.length; b++) choosers[b] = new TokenChooser(options.withSeed(rowSeeds[b]));
            this.maxSeqLen = maxSeqLen;
            this.prompts = prompts;
            this.finish = new String[prompts.size()];
            for (int b = 0; b < prompts.size(); b++) {
                tokens.add(new ArrayList<>());
                logProbs.add(new ArrayList<>());
            }
        }

        boolean finished(int b) {
            return finish[b] != null;
        }

        int[] sequence(int b) {
            int[] p = prompts.get(b);
            int[] s = new int[p.length + tokens.get(b).size()];
            System.arraycopy(p, 0, s, 0, p.length);
            for (int i = 0; i < tokens.get(b).size(); i++) s[p.length + i] = tokens.get(b).get(i);
            return s;
        }

        /** Chooses the next token of every running sequence; fills ids/pos for the next step; false when all are done. */
        boolean advance(double[][] logits, int[] ids, int[] pos) {
            boolean running = false;
            for (int b = 0; b < logits.length; b++) {
                if (finish[b] != null) continue;
                int id = choosers[b].choose(logits[b]);
                tokens.get(b).add(id);
                logProbs.get(b).add(TokenChooser.logSoftmax(logits[b])[id]);
                int length = prompts.get(b).length + tokens.get(b).size();
                if (options.stopIds().contains(id)) finish[b] = Sample.STOP;
                else if (tokens.get(b).size() >= options.maxNewTokens() || length >= maxSeqLen) finish[b] = Sample.LENGTH;
                ids[b] = id;
                pos[b] = length - 1;
                running |= finish[b] == null;
            }
            return running;
        }

        List<Sample> results() {
            List<Sample> out = new ArrayList<>();
            for (int b = 0; b < finish.length; b++) {
                int[] t = tokens.get(b).stream().mapToInt(Integer::intValue).toArray();
                double[] lp = logProbs.get(b).stream().mapToDouble(Double::doubleValue).toArray();
                out.add(new Sample(t, lp, finish[b]));
            }
            return out;
        }
    }
}
