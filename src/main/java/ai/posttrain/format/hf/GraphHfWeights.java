package ai.posttrain.format.hf;

import ai.posttrain.format.ModelFormatException;
import ai.posttrain.format.Tensor;
import ai.posttrain.format.safetensors.SafetensorsFile;
import ai.posttrain.format.safetensors.SafetensorsFolder;
import ai.posttrain.model.ModelConfig;
import ai.posttrain.model.TransformerGraph;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Moves weights between a llama-architecture ComputationGraph and HF tensor names. The engine stores
 * projections [in, out] (HF's nn.Linear weight transposed) and fuses q|k|v and gate|up column-wise; HF's
 * output-feature order is kept inside each block of columns, so the mapping is transpose + concatenate.
 */
public final class GraphHfWeights {
    private static final String E = "E", G = "g", W = "W", B = "b";

    private GraphHfWeights() {}

    /** Assigns every parameter of {@code graph} from the folder's tensors (any dtype), checking each HF shape. */
    public static void load(ComputationGraph graph, ModelConfig cfg, HfConfig hf, SafetensorsFolder weights) {
        int d = cfg.dModel(), hd = cfg.headSize(), f = cfg.dFf(), v = cfg.vocab();
        int q = cfg.heads() * hd, kv = cfg.kvHeads() * hd;
        Reader r = new Reader(weights);
        INDArray embed = r.read(HfTensorNames.EMBED, v, d);
        param(graph, TransformerGraph.EMBED, E).assign(embed);
        for (int i = 0; i < cfg.layers(); i++) {
            String block = TransformerGraph.block(i);
            param(graph, block, "attnNorm").assign(r.read(HfTensorNames.inputNorm(i), d).reshape(1, d));
            INDArray qkv = Nd4j.concat(0, r.read(HfTensorNames.q(i), q, d), r.read(HfTensorNames.k(i), kv, d),
                    r.read(HfTensorNames.v(i), kv, d));
            param(graph, block, "Wqkv").assign(qkv.transpose());
            if (cfg.qkvBias()) {
                INDArray bias = Nd4j.concat(0, r.read(HfTensorNames.qBias(i), q), r.read(HfTensorNames.kBias(i), kv),
                        r.read(HfTensorNames.vBias(i), kv));
                param(graph, block, "bqkv").assign(bias.reshape(1, q + 2L * kv));
            }
            param(graph, block, "Wo").assign(r.read(HfTensorNames.o(i), d, q).transpose());
            param(graph, block, "mlpNorm").assign(r.read(HfTensorNames.postAttentionNorm(i), d).reshape(1, d));
            INDArray gu = Nd4j.concat(0, r.read(HfTensorNames.gate(i), f, d), r.read(HfTensorNames.up(i), f, d));
            param(graph, block, "Wgu").assign(gu.transpose());
            param(graph, block, "Wdown").assign(r.read(HfTensorNames.down(i), d, f).transpose());
        }
        param(graph, TransformerGraph.FINAL_NORM, G).assign(r.read(HfTensorNames.FINAL_NORM, d).reshape(1, d));
        INDArray head;
        if (hf.tieWordEmbeddings()) {
            head = embed;   // the engine keeps its own copy of the tied matrix
        } else {
            head = r.read(HfTensorNames.LM_HEAD, v, d);
        }
        param(graph, TransformerGraph.HEAD, W).assign(head.transpose());
        param(graph, TransformerGraph.HEAD, B).assign(0);
        r.rejectUnused(hf);
    }

    /**
     * The graph's weights under HF names. The embedding is written tied (no lm_head.weight) only when the
     * model came tied and the head still equals the embedding's transpose bit for bit.
     */
    public static HfModel toHf(ComputationGraph graph, ModelConfig cfg, int maxPositions, Integer bos, List<Integer> eos) {
        int hd = cfg.headSize(), f = cfg.dFf();
        int q = cfg.heads() * hd, kv = cfg.kvHeads() * hd;
        Map<String, Tensor> m = new LinkedHashMap<>();
        INDArray embed = param(graph, TransformerGraph.EMBED, E);
        m.put(HfTensorNames.EMBED, tensor(embed));
        for (int i = 0; i < cfg.layers(); i++) {
            String block = TransformerGraph.block(i);
            m.put(HfTensorNames.inputNorm(i), vector(param(graph, block, "attnNorm")));
            INDArray qkvT = param(graph, block, "Wqkv").transpose();   // [(H + 2 KV) hd, d]
            m.put(HfTensorNames.q(i), tensor(rows(qkvT, 0, q)));
            m.put(HfTensorNames.k(i), tensor(rows(qkvT, q, q + kv)));
            m.put(HfTensorNames.v(i), tensor(rows(qkvT, q + kv, q + 2 * kv)));
            if (cfg.qkvBias()) {
                INDArray b = param(graph, block, "bqkv");
                m.put(HfTensorNames.qBias(i), vector(b.get(all(), interval(0, q))));
                m.put(HfTensorNames.kBias(i), vector(b.get(all(), interval(q, q + kv))));
                m.put(HfTensorNames.vBias(i), vector(b.get(all(), interval(q + kv, q + 2 * kv))));
            }
            m.put(HfTensorNames.o(i), tensor(param(graph, block, "Wo").transpose()));
            m.put(HfTensorNames.postAttentionNorm(i), vector(param(graph, block, "mlpNorm")));
            INDArray guT = param(graph, block, "Wgu").transpose();     // [2 dFf, d]
            m.put(HfTensorNames.gate(i), tensor(rows(guT, 0, f)));
            m.put(HfTensorNames.up(i), tensor(rows(guT, f, 2 * f)));
            m.put(HfTensorNames.down(i), tensor(param(graph, block, "Wdown").transpose()));
        }
        m.put(HfTensorNames.FINAL_NORM, vector(param(graph, TransformerGraph.FINAL_NORM, G)));
        INDArray headT = param(graph, TransformerGraph.HEAD, W).transpose();   // [vocab, d]
        Tensor head = tensor(headT);
        boolean tied = cfg.tiedEmbeddings() && Arrays.equals(head.data(), m.get(HfTensorNames.EMBED).data());
        if (!tied) m.put(HfTensorNames.LM_HEAD, head);
        return new HfModel(HfModelConfigs.fromModelConfig(cfg, tied, maxPositions, bos, eos), m);
    }

    private static INDArray param(ComputationGraph graph, String layer, String key) {
        INDArray p = graph.getLayer(layer).getParam(key);
        if (p == null) throw new IllegalStateException("layer " + layer + " has no parameter " + key);
        return p;
    }

    private static INDArray rows(INDArray a, int from, int to) {
        return a.get(interval(from, to), all());
    }

    private static org.nd4j.linalg.indexing.INDArrayIndex all() {
        return org.nd4j.linalg.indexing.NDArrayIndex.all();
    }

    private static org.nd4j.linalg.indexing.INDArrayIndex interval(int from, int to) {
        return org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to);
    }

    private static Tensor tensor(INDArray a) {
        INDArray c = a.castTo(DataType.FLOAT).dup('c');
        return new Tensor(c.shape(), c.data().asFloat());
    }

    private static Tensor vector(INDArray a) {
        INDArray c = a.castTo(DataType.FLOAT).dup('c');
        return Tensor.of(c.data().asFloat(), c.length());
    }

    /** Reads tensors by HF name with shape checks, remembering which ones were used. */
    private static final class Reader {
        private final SafetensorsFolder weights;
        private final java.util.Set<String> used = new java.util.HashSet<>();

        Reader(SafetensorsFolder weights) {
            this.weights = weights;
        }

        INDArray read(String name, long... shape) {
            SafetensorsFile.Entry e = weights.entry(name);
            if (e == null) throw new ModelFormatException(weights.fileOf(name), name, "tensor is missing");
            if (!Arrays.equals(e.shape(), shape))
                throw new ModelFormatException(weights.fileOf(name), name, "shape " + Arrays.toString(e.shape())
                        + " does not match config.json (expected " + Arrays.toString(shape) + ")");
            used.add(name);
            Tensor t = weights.read(name);
            return Nd4j.create(t.data(), shape, 'c');
        }

        /** A tensor the architecture has no place for (e.g. an o_proj bias) would be silently dropped: refuse it. */
        void rejectUnused(HfConfig hf) {
            for (String n : weights.names()) {
                if (used.contains(n)) continue;
                if (n.equals(HfTensorNames.LM_HEAD) && hf.tieWordEmbeddings()) continue;   // some tied checkpoints still store it
                if (n.endsWith("rotary_emb.inv_freq")) continue;                        // a buffer older exports saved
                throw new ModelFormatException(weights.fileOf(n), n, "tensor not used by " + hf.architecture() + " (unsupported)");
            }
        }
    }
}
