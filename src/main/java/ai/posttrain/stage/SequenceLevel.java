package ai.posttrain.stage;

import ai.posttrain.config.DistillStageSettings;
import ai.posttrain.data.Message;
import ai.posttrain.eval.DomainScorer;
import ai.posttrain.eval.EvalItem;
import ai.posttrain.eval.EvalItems;
import ai.posttrain.model.ModelBytes;
import ai.posttrain.model.Sample;
import ai.posttrain.model.Sampler;
import ai.posttrain.model.SamplingOptions;
import ai.posttrain.model.TransformerGraph;
import ai.posttrain.model.head.TokenLogProbs;
import ai.posttrain.tokenizer.ChatTemplate;
import ai.posttrain.train.DpoPair;
import ai.posttrain.train.Minibatches;
import ai.posttrain.train.KdExample;
import ai.posttrain.train.PairSelector;
import ai.posttrain.train.SftExample;
import ai.posttrain.train.TeacherTopK;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * Sequence level of distillation, on the executors: for each prompt the student samples N candidates (and,
 * with {@code teacher-answer}, the teacher adds its greedy answer), the teacher scores each (mean log-prob per completion token; plus the verifier where the prompt has a
 * reference answer or tests, see {@link PairSelector}), and the best and the worst become a
 * (chosen, rejected) pair in table {@code pairs}, with both scores and the reference model's summed
 * log-probs of each completion (the student as it was when it sampled: the frozen DPO reference).
 */
final class SequenceLevel {
    static final String TABLE = "pairs";
    static final StructType SCHEMA = new StructType()
            .add("stage", DataTypes.StringType).add("prompt_id", DataTypes.StringType)
            .add("domain", DataTypes.StringType).add("prompt", DataTypes.StringType)
            .add("chosen", DataTypes.StringType).add("rejected", DataTypes.StringType)
            .add("chosen_score", DataTypes.DoubleType).add("rejected_score", DataTypes.DoubleType)
            .add("chosen_teacher_logp", DataTypes.DoubleType).add("rejected_teacher_logp", DataTypes.DoubleType)
            .add("chosen_verifier", DataTypes.DoubleType).add("rejected_verifier", DataTypes.DoubleType)
            .add("candidates", DataTypes.IntegerType).add("chosen_is_teacher", DataTypes.BooleanType)
            .add("prompt_tokens", DataTypes.createArrayType(DataTypes.IntegerType, false))
            .add("chosen_tokens", DataTypes.createArrayType(DataTypes.IntegerType, false))
            .add("rejected_tokens", DataTypes.createArrayType(DataTypes.IntegerType, false))
            .add("ref_chosen_logp", DataTypes.DoubleType).add("ref_rejected_logp", DataTypes.DoubleType);

    private SequenceLevel() {}

    /** One mined pair: a table row and a training pair. */
    record Mined(String promptId, String domain, String prompt, String chosen, String rejected, double chosenScore,
                 double rejectedScore, double chosenTeacher, double rejectedTeacher, Double chosenVerifier,
                 Double rejectedVerifier, int candidates, boolean chosenIsTeacher, DpoPair pair) implements Serializable {
        Row row() {
            return RowFactory.create(DistillStageSettings.STAGE, promptId, domain, prompt, chosen, rejected, chosenScore,
                    rejectedScore, chosenTeacher, rejectedTeacher, chosenVerifier, rejectedVerifier, candidates,
                    chosenIsTeacher, boxed(pair.prompt()), boxed(pair.chosen()), boxed(pair.rejected()), pair.refChosen(), pair.refRejected());
        }
    }

    /**
     * Mines the pairs with {@code student} as sampler and reference, writes the table, returns the pairs, persisted
     * on the executors in the order they were mined (the driver sees only their count).
     */
    static JavaRDD<DpoPair> mine(StageContext ctx, DistillStageSettings settings, ModelBytes student, ModelBytes teacher) {
        String stage = DistillStageSettings.STAGE;
        DistillStageSettings.Dpo dpo = settings.dpo();
        long t0 = System.nanoTime();
        List<EvalItem> items = prompts(ctx, dpo);
        ChatTemplate chat = ctx.template();
        long seed = ctx.config().seed();
        // Each prompt has its own seed, so the pairs do not depend on how the prompts are split. The mined pairs stay
        // on the executors (persisted), never collected.
        OnExecutors<Mined> onExecutors = onExecutors(ctx, items, student, teacher,
                (it, s, t) -> minePartition(it, s, t, chat, dpo, seed));
        JavaRDD<Mined> mined = onExecutors.rdd();
        JavaRDD<DpoPair> pairs;
        long count;
        try (SparkProgress progress = new SparkProgress(ctx.sc(), ctx.console(), "[" + stage + "] pair mining")) {
            ctx.tables().appendReplacing(TABLE, ctx.spark().createDataFrame(mined.map(Mined::row), SCHEMA), col("stage").equalTo(stage));
            pairs = mined.map(Mined::pair).persist(StorageLevel.MEMORY_AND_DISK());
            count = pairs.count();
        }
        mined.unpersist(false);
        onExecutors.release();
        ctx.console().printf("[%s] sequence level: %d pairs from %d prompts x %d candidates (margin %s) (%.0fs)%n", stage,
                count, items.size(), dpo.candidates(), dpo.margin(), (System.nanoTime() - t0) / 1e9);
        if (count == 0)
            throw new IllegalStateException("no prompt gave a pair whose scores differ by posttrain.stages.distill.dpo.margin = "
                    + dpo.margin() + "; lower it or raise dpo.candidates / dpo.temperature");
        return pairs;
    }

    /** Work on one partition of the prompts, with the student and the teacher as the executor restores them. */
    private interface PerPartition<T> extends Serializable {
        Iterator<T> apply(Iterator<EvalItem> items, ModelBytes student, ModelBytes teacher);
    }

    /** What {@link #onExecutors} started: the persisted results and the two models' broadcasts. */
    private record OnExecutors<T>(JavaRDD<T> rdd, Broadcast<ModelBytes> student, Broadcast<ModelBytes> teacher) {
        /** Not destroyed: the persisted results' lineage still names them, should a partition need recomputing. */
        void release() {
            student.unpersist(false);
            teacher.unpersist(false);
        }
    }

    /** Runs {@code work} over the prompts on the executors, four tasks per core (progress lines come per task). */
    private static <T> OnExecutors<T> onExecutors(StageContext ctx, List<EvalItem> items, ModelBytes student,
                                                  ModelBytes teacher, PerPartition<T> work) {
        Broadcast<ModelBytes> sharedStudent = ctx.sc().broadcast(student);
        Broadcast<ModelBytes> sharedTeacher = ctx.sc().broadcast(teacher);
        JavaRDD<T> rdd = ctx.sc().parallelize(items, Math.max(1, Math.min(items.size(), ctx.sc().defaultParallelism() * 4)))
                .mapPartitions((Iterator<EvalItem> it) -> work.apply(it, sharedStudent.value(), sharedTeacher.value()))
                .persist(StorageLevel.MEMORY_AND_DISK());
        return new OnExecutors<>(rdd, sharedStudent, sharedTeacher);
    }

    /** The sequence level's prompts: at most max-prompts, spread evenly over the inputs, in a seeded order. */
    private static List<EvalItem> prompts(StageContext ctx, DistillStageSettings.Dpo dpo) {
        int perInput = (dpo.maxPrompts() + dpo.inputs().size() - 1) / dpo.inputs().size();
        EvalItems.Read read = EvalItems.read(ctx.spark(), dpo.inputs(), ctx.builtin(), ctx.tokenCounter(),
                ctx.config().data().maxTokens(), perInput, dpo.difficulties());
        String origin = DistillStageSettings.STAGE + ":dpo";
        for (Dataset<Row> rejected : read.rejected())
            ctx.tables().appendReplacing("rejected", rejected.withColumn("origin", lit(origin)), col("origin").equalTo(origin));
        List<EvalItem> items = new ArrayList<>(read.items());
        if (items.isEmpty()) throw new IllegalStateException("no valid prompts in " + dpo.inputs() + " for the sequence level");
        Collections.shuffle(items, new Random(ctx.config().seed()));   // suites spread over the executors
        return items.size() > dpo.maxPrompts() ? items.subList(0, dpo.maxPrompts()) : items;
    }

    /**
     * On-policy token level (GKD): the student samples {@code candidates} completions per prompt and the teacher's
     * top-k at every sampled token makes each a kd example, so the student learns the teacher's next-token
     * distribution on the text it writes itself, not only on the SFT responses. The examples stay on the
     * executors; a resume past dpo.start samples them again, with the student of the same step (DistillStage).
     */
    static JavaRDD<KdExample> onPolicy(StageContext ctx, DistillStageSettings settings, ModelBytes student, ModelBytes teacher) {
        String stage = DistillStageSettings.STAGE;
        DistillStageSettings.Dpo dpo = settings.dpo();
        DistillStageSettings.Kd kd = settings.kd();
        long t0 = System.nanoTime();
        List<EvalItem> items = prompts(ctx, dpo);
        ChatTemplate chat = ctx.template();
        long seed = ctx.config().seed();
        OnExecutors<KdExample> onExecutors = onExecutors(ctx, items, student, teacher,
                (it, s, t) -> samplePartition(it, s, t, chat, dpo, kd, seed));
        JavaRDD<KdExample> examples = onExecutors.rdd();
        long count;
        try (SparkProgress progress = new SparkProgress(ctx.sc(), ctx.console(), "[" + stage + "] on-policy samples")) {
            count = examples.count();
        }
        onExecutors.release();
        ctx.console().printf("[%s] on-policy: %d student samples from %d prompts, teacher top-%d on each (%.0fs)%n", stage,
                count, items.size(), kd.topK(), (System.nanoTime() - t0) / 1e9);
        if (count == 0) throw new IllegalStateException("the student wrote no tokens for any of the sequence level's prompts");
        return examples;
    }

    private static Iterator<KdExample> samplePartition(Iterator<EvalItem> items, ModelBytes student, ModelBytes teacher,
                                                       ChatTemplate chat, DistillStageSettings.Dpo dpo,
                                                       DistillStageSettings.Kd kd, long seed) {
        List<KdExample> out = new ArrayList<>();
        if (!items.hasNext()) return out.iterator();
        Sampler sampler = new Sampler(student.restore(), student.config());
        TeacherTopK topK = new TeacherTopK(teacher.restore(), kd.topK(), kd.temperature());
        Set<Integer> stop = Set.copyOf(chat.stopIds());
        for (List<EvalItem> chunk : chunks(items, dpo.promptsPerCall())) {
            List<int[]> prompts = rendered(chunk, chat);
            List<List<Sample>> samples = studentSamples(sampler, chunk, prompts, dpo, stop, seed);
            for (int p = 0; p < chunk.size(); p++) {
                EvalItem item = chunk.get(p);
                List<SftExample> batch = new ArrayList<>();
                for (int i = 0; i < samples.get(p).size(); i++) {
                    int[] completion = samples.get(p).get(i).tokens();
                    if (completion.length == 0) continue;
                    batch.add(SftExample.ofCompletion(item.id() + "#" + i, item.domain(), prompts.get(p), completion));
                }
                if (!batch.isEmpty()) out.addAll(topK.score(batch));
            }
        }
        return out.iterator();
    }

    /** The partition's prompts in lists of at most {@code size}, in order. */
    private static List<List<EvalItem>> chunks(Iterator<EvalItem> items, int size) {
        List<List<EvalItem>> out = new ArrayList<>();
        while (items.hasNext()) {
            if (out.isEmpty() || out.get(out.size() - 1).size() == size) out.add(new ArrayList<>());
            out.get(out.size() - 1).add(items.next());
        }
        return out;
    }

    /** The chunk's prompts as the chat template renders them for generation. */
    private static List<int[]> rendered(List<EvalItem> chunk, ChatTemplate chat) {
        return chunk.stream().map(item -> chat.render(item.prompt(), true).ids()).toList();
    }

    /**
     * The student's {@code candidates} samples of every prompt of the chunk, decoded together in one sampler call.
     * Each row has its own random stream from the prompt's seed, so a prompt's samples do not depend on which
     * prompts share its call or partition.
     */
    private static List<List<Sample>> studentSamples(Sampler sampler, List<EvalItem> chunk, List<int[]> prompts,
                                                 DistillStageSettings.Dpo dpo, Set<Integer> stop, long seed) {
        int n = dpo.candidates();
        List<int[]> rows = new ArrayList<>();
        long[] seeds = new long[chunk.size() * n];
        for (int p = 0; p < chunk.size(); p++) {
            long promptSeed = SamplingOptions.promptSeed(seed, chunk.get(p).id());
            for (int i = 0; i < n; i++) {
                rows.add(prompts.get(p));
                seeds[p * n + i] = promptSeed + i;
            }
        }
        SamplingOptions options = SamplingOptions.sample(dpo.temperature(), 0, dpo.topP(), dpo.maxNewTokens(), stop, 0);
        List<Sample> samples = sampler.generateFitting(rows, options, seeds);
        List<List<Sample>> out = new ArrayList<>();
        for (int p = 0; p < chunk.size(); p++) out.add(new ArrayList<>(samples.subList(p * n, (p + 1) * n)));
        return out;
    }

    /** The pairs a previous (interrupted) run of the stage mined, for a resume past the start of the dpo steps. */
    static Optional<JavaRDD<DpoPair>> read(StageContext ctx) {
        try {
            if (!ctx.run().fs().exists(ctx.run().tablePath(TABLE))) return Optional.empty();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Dataset<Row> rows = ctx.tables().read(ctx.spark(), TABLE).where(col("stage").equalTo(DistillStageSettings.STAGE))
                .orderBy("prompt_id");
        if (rows.isEmpty()) return Optional.empty();
        return Optional.of(rows.javaRDD().map(r -> new DpoPair(r.getString(r.fieldIndex("prompt_id")),
                ints(r.getList(r.fieldIndex("prompt_tokens"))), ints(r.getList(r.fieldIndex("chosen_tokens"))),
                ints(r.getList(r.fieldIndex("rejected_tokens"))), r.getDouble(r.fieldIndex("ref_chosen_logp")),
                r.getDouble(r.fieldIndex("ref_rejected_logp")))).persist(StorageLevel.MEMORY_AND_DISK()));
    }

    private static Iterator<Mined> minePartition(Iterator<EvalItem> items, ModelBytes student, ModelBytes teacher,
                                                 ChatTemplate chat, DistillStageSettings.Dpo dpo, long seed) {
        List<Mined> out = new ArrayList<>();
        if (!items.hasNext()) return out.iterator();
        ComputationGraph studentGraph = student.restore();
        Sampler sampler = new Sampler(studentGraph, student.config());
        ComputationGraph teacherGraph = teacher.restore();
        Sampler teacherSampler = dpo.teacherAnswer() ? new Sampler(teacherGraph, teacher.config()) : null;
        DomainScorer scorer = new DomainScorer();
        PairSelector selector = new PairSelector(dpo.verifierWeight(), dpo.margin(), dpo.chosenMustPass());
        Set<Integer> stop = Set.copyOf(chat.stopIds()); // every id that ends a turn, not only END_OF_TURN
        for (List<EvalItem> chunk : chunks(items, dpo.promptsPerCall())) {
            List<int[]> prompts = rendered(chunk, chat);
            List<List<Sample>> candidates = studentSamples(sampler, chunk, prompts, dpo, stop, seed);
            // The teacher's own answer competes with the student's: where the student is wrong and the teacher
            // right, the pair shows the student what to say instead, not only what not to say.
            List<Sample> teacherAnswers = teacherSampler == null ? null
                    : teacherSampler.generateFitting(prompts, SamplingOptions.greedy(dpo.maxNewTokens(), stop));
            for (int p = 0; p < chunk.size(); p++) {
                List<Sample> samples = candidates.get(p);
                if (teacherAnswers != null) samples.add(teacherAnswers.get(p));
                mineOne(chunk.get(p), prompts.get(p), samples, studentGraph, teacherGraph, teacherAnswers != null, chat,
                        scorer, selector).ifPresent(out::add);
            }
        }
        return out.iterator();
    }

    /** The pair of one prompt's samples (the teacher's answer last, when it joined), if the selector finds one. */
    private static Optional<Mined> mineOne(EvalItem item, int[] prompt, List<Sample> samples, ComputationGraph studentGraph,
                                           ComputationGraph teacherGraph, boolean teacherLast, ChatTemplate chat,
                                           DomainScorer scorer, PairSelector selector) {
        List<int[]> completions = samples.stream().map(Sample::tokens).toList();
        double[] teacherSums = completionLogProbSums(teacherGraph, prompt, completions);
        double[] refSums = completionLogProbSums(studentGraph, prompt, completions);
        boolean verifiable = item.answer() != null || !item.tests().isEmpty();
        List<PairSelector.Candidate> candidates = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (Sample s : samples) {
            String text = chat.decodeCompletion(s.tokens());
            texts.add(text);
            Double verified = verifiable
                    ? scorer.score(item, text, Sample.STOP.equals(s.finishReason()), s.tokens().length).score() : null;
            candidates.add(new PairSelector.Candidate(s.tokens(), teacherSums[candidates.size()] / s.tokens().length, verified));
        }
        ai.posttrain.run.KillPoints.reach("distill-pairs");
        Optional<PairSelector.Selection> pick = selector.select(candidates);
        if (pick.isEmpty()) return Optional.empty();
        int c = pick.get().chosen(), r = pick.get().rejected();
        return Optional.of(new Mined(item.id(), item.domain(), render(item.prompt()), texts.get(c), texts.get(r),
                pick.get().chosenScore(), pick.get().rejectedScore(), candidates.get(c).teacherScore(),
                candidates.get(r).teacherScore(), candidates.get(c).verifierScore(), candidates.get(r).verifierScore(),
                samples.size(), teacherLast && c == samples.size() - 1,
                new DpoPair(item.id(), prompt, completions.get(c), completions.get(r), refSums[c], refSums[r])));
    }

    /** Each completion's summed log-probs under {@code model}, after the prompt (one forward pass for all). */
    static double[] completionLogProbSums(ComputationGraph model, int[] prompt, List<int[]> completions) {
        List<int[]> seqs = new ArrayList<>();
        int t = 1;
        for (int[] c : completions) {
            int[] s = DpoPair.sequence(prompt, c);
            seqs.add(s);
            t = Math.max(t, s.length - 1);
        }
        int[][] targets = new int[seqs.size()][];
        float[][] mask = new float[seqs.size()][];
        for (int e = 0; e < seqs.size(); e++) {
            int[] s = seqs.get(e);
            targets[e] = new int[s.length - 1];
            mask[e] = DpoPair.completionMask(prompt.length, s.length);
            for (int i = 0; i < targets[e].length; i++) targets[e][i] = mask[e][i] > 0 ? s[i + 1] : -1;
        }
        double[][] logProbs = TokenLogProbs.compute(model, TransformerGraph.HEAD,
                new INDArray[]{Minibatches.inputIds(seqs, t)}, new INDArray[]{Minibatches.featureMask(seqs, t)}, targets);
        return TokenLogProbs.sequenceSums(logProbs, mask);
    }

    private static String render(List<Message> prompt) {
        StringBuilder b = new StringBuilder();
        prompt.forEach(m -> b.append(m.role()).append(": ").append(m.content()).append('\n'));
        return b.toString().strip();
    }

    private static scala.collection.Seq<Integer> boxed(int[] a) {
        List<Integer> out = new ArrayList<>(a.length);
        for (int x : a) out.add(x);
        return TokenLevel.seq(out);
    }

    private static int[] ints(List<Object> list) {
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) out[i] = ((Number) list.get(i)).intValue();
        return out;
    }
}
