package ai.posttrain.reward;

import ai.posttrain.data.Message;
import ai.posttrain.model.Heads;
import ai.posttrain.model.SequenceLogProbs;
import ai.posttrain.model.head.LabelLayout;
import ai.posttrain.model.head.PackedLabels;
import ai.posttrain.tokenizer.ChatTemplate;
import ai.posttrain.tokenizer.SpecialToken;
import ai.posttrain.tokenizer.Tokenizer;
import org.apache.spark.sql.Row;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The Bradley-Terry reward model: a language model whose scalar score of a (prompt, response) is
 * {@code s = log p(t | prompt, response)}, the log-prob of one designated token t at the response's last
 * position ({@link #scoreToken}: one the policy does not predict there, e.g. the byte tokenizer's {@code <bos>}).
 * Trained on preference pairs with {@code -log sigmoid(beta (s_chosen - s_rejected))}, which is exactly the head's {@code dpo} objective
 * on (chosen, rejected) rows whose only masked position is that last one and whose reference sums are 0,
 * so the reward model needs no objective of its own (and shares dpo's gradient check).
 */
public final class RewardModel {
    private final ComputationGraph net;

    public RewardModel(ComputationGraph net) { this.net = net; }

    /** One preference pair: the prompt's turns, a better and a worse reply. */
    public record Pair(List<Message> prompt, String chosen, String rejected) implements Serializable {
        public static Pair of(Row r) {
            List<Message> prompt = new ArrayList<>();
            for (Row m : r.<Row>getList(r.fieldIndex("prompt")))
                prompt.add(new Message(m.getString(m.fieldIndex("role")), m.getString(m.fieldIndex("content"))));
            return new Pair(prompt, r.getString(r.fieldIndex("chosen")), r.getString(r.fieldIndex("rejected")));
        }
    }

    /**
     * The token whose log-prob at a response's last position is the score. It must be one the policy does not
     * predict there, so its logit starts free (a likely token starts near log p = 0, where softmax saturates and
     * chosen and rejected score alike). BOS when the chat template writes it only as the chat's first token
     * (the byte tokenizer, Llama 3), as before; otherwise the end-of-turn marker, which every template has and
     * which never follows its own turn's end: Qwen folders have no BOS, and SmolLM2's BOS is &lt;|im_start|&gt;,
     * the very token that opens the next turn.
     */
    public static int scoreToken(ChatTemplate template) {
        Tokenizer tokenizer = template.tokenizer();
        if (tokenizer.has(SpecialToken.BOS)) {
            int bos = tokenizer.specialId(SpecialToken.BOS);
            int[] probe = template.render(List.of(new Message("system", "s"), Message.user("u"), Message.assistant("a")), false).ids();
            boolean onlyFirst = probe.length > 0 && probe[0] == bos;
            for (int i = 1; i < probe.length && onlyFirst; i++) onlyFirst = probe[i] != bos;
            if (onlyFirst) return bos;
        }
        return tokenizer.specialId(SpecialToken.END_OF_TURN);
    }

    /** A copy of {@code start} (e.g. the starting policy) with the head set to train the BT loss at this beta. */
    public static ComputationGraph fromPolicy(ComputationGraph start, double beta) {
        return Heads.reconfigured(start, h -> {
            h.setBeta(beta);
            h.setDpoWeight(1.0);
        });
    }

    /** The tokens a (prompt, response) is scored on: the rendered chat up to the response's end of turn. */
    public static int[] sequence(ChatTemplate template, List<Message> prompt, String response) {
        List<Message> all = new ArrayList<>(prompt);
        all.add(Message.assistant(response));
        return template.render(all, false).ids();
    }

    /** Scores of prompt+response token sequences (e.g. a prompt's ids followed by sampled ids). */
    public double[] scores(List<int[]> sequences, ChatTemplate template) {
        return new SequenceLogProbs(net).nextTokenLogProb(sequences, scoreToken(template));
    }

    /** Score of rendered pairs: [i][0] chosen, [i][1] rejected. */
    public double[][] pairScores(List<Pair> pairs, ChatTemplate template) {
        List<int[]> seqs = new ArrayList<>();
        for (Pair p : pairs) {
            seqs.add(sequence(template, p.prompt(), p.chosen()));
            seqs.add(sequence(template, p.prompt(), p.rejected()));
        }
        double[] s = scores(seqs, template);
        double[][] out = new double[pairs.size()][2];
        for (int i = 0; i < pairs.size(); i++) out[i] = new double[]{s[2 * i], s[2 * i + 1]};
        return out;
    }

    /**
     * A minibatch of BT rows: each pair as (chosen, rejected) adjacent rows, the score token the target at
     * the last position only; an odd {@code rows} ends with a padding row.
     */
    public static MultiDataSet batch(List<Pair> pairs, ChatTemplate template, int rows) {
        int score = scoreToken(template);
        List<int[]> seqs = new ArrayList<>();
        for (Pair p : pairs) {
            seqs.add(sequence(template, p.prompt(), p.chosen()));
            seqs.add(sequence(template, p.prompt(), p.rejected()));
        }
        int t = seqs.stream().mapToInt(s -> s.length).max().orElse(1);
        PackedLabels.Builder labels = PackedLabels.builder(LabelLayout.withTopK(0), t);
        float[] ids = new float[rows * t], fmask = new float[rows * t];
        for (int i = 0; i < seqs.size(); i++) {
            int[] s = seqs.get(i);
            for (int j = 0; j < s.length; j++) {
                ids[i * t + j] = s[j];
                fmask[i * t + j] = 1f;
            }
        }
        for (int i = 0; i < pairs.size(); i++) {
            int[] c = seqs.get(2 * i), r = seqs.get(2 * i + 1);
            labels.dpoPair(lastOnly(c.length, score), lastMask(c.length), 0, lastOnly(r.length, score), lastMask(r.length), 0);
        }
        while (labels.rows() < rows) labels.padding();
        // Padding rows still need one visible input position (an all-masked row would attend to nothing).
        for (int i = seqs.size(); i < rows; i++) fmask[i * t] = 1f;
        PackedLabels packed = labels.build(DataType.FLOAT);
        return new org.nd4j.linalg.dataset.MultiDataSet(
                new INDArray[]{Nd4j.create(ids, new long[]{rows, 1, t}, 'c')}, new INDArray[]{packed.labels()},
                new INDArray[]{Nd4j.create(fmask, new long[]{rows, t}, 'c')}, new INDArray[]{packed.mask()});
    }

    private static int[] lastOnly(int n, int token) {
        int[] t = new int[n];
        t[n - 1] = token;
        return t;
    }

    private static float[] lastMask(int n) {
        float[] m = new float[n];
        m[n - 1] = 1f;
        return m;
    }
}
