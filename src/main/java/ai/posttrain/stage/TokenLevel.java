package ai.posttrain.stage;

import ai.posttrain.config.DistillStageSettings;
import ai.posttrain.data.ReadResult;
import ai.posttrain.data.RecordKind;
import ai.posttrain.model.ModelBytes;
import ai.posttrain.train.KdExample;
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

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;

import static org.apache.spark.sql.functions.col;

/**
 * Token level of distillation: the frozen teacher, broadcast to the executors, scores the SFT responses
 * and keeps the top-k log-probs of every response token. Table {@code teacher_topk} has one row per
 * (example, position): {@code position} t is the index in the example's token sequence of the token
 * predicted there minus one (the model sees tokens 0..t and predicts token t+1 = {@code token});
 * {@code top_ids} / {@code top_logprobs} are the teacher's k best next tokens under softmax(logits / T),
 * best first, T = {@code temperature}.
 */
final class TokenLevel {
    static final String TABLE = "teacher_topk";
    static final StructType SCHEMA = new StructType()
            .add("stage", DataTypes.StringType).add("example_id", DataTypes.StringType)
            .add("domain", DataTypes.StringType).add("position", DataTypes.IntegerType)
            .add("token", DataTypes.IntegerType).add("temperature", DataTypes.DoubleType)
            .add("top_ids", DataTypes.createArrayType(DataTypes.IntegerType, false))
            .add("top_logprobs", DataTypes.createArrayType(DataTypes.FloatType, false));
    /** Conversations per teacher forward pass on an executor. */
    static final int BATCH = 8;

    private TokenLevel() {}

    /** Reads and samples the records, runs the teacher over them, writes the table; the examples stay persisted. */
    static JavaRDD<KdExample> run(StageContext ctx, DistillStageSettings settings, ModelBytes teacher) {
        String stage = DistillStageSettings.STAGE;
        DistillStageSettings.Kd kd = settings.kd();
        long t0 = System.nanoTime();
        ReadResult data = ctx.read(RecordKind.SFT, kd.inputs(), stage + ":kd");
        Dataset<Row> sample = Curriculum.sample(data.valid(), kd.selection(), kd.maxRecords(), ctx.config().seed(), ctx.console());
        // Four tasks per core: the driver sees progress only as finished tasks (SparkProgress).
        JavaRDD<SftExample> examples = SftExample.fromRecords(sample, ctx.template())
                .repartition(Math.max(1, ctx.sc().defaultParallelism()) * 4);
        Broadcast<ModelBytes> shared = ctx.sc().broadcast(teacher);
        int k = kd.topK();
        double temperature = kd.temperature();
        JavaRDD<KdExample> scored = examples.mapPartitions((Iterator<SftExample> it) -> score(it, shared.value(), k, temperature))
                .persist(StorageLevel.MEMORY_AND_DISK());
        JavaRDD<Row> rows = scored.flatMap(e -> rows(e, temperature).iterator());
        long records;
        try (SparkProgress progress = new SparkProgress(ctx.sc(), ctx.console(), "[" + stage + "] teacher top-k")) {
            ctx.tables().appendReplacing(TABLE, ctx.spark().createDataFrame(rows, SCHEMA), col("stage").equalTo(stage));
            records = scored.count();
        }
        long tokens = scored.map(e -> (long) e.trainedPositions()).fold(0L, Long::sum);
        shared.unpersist(false);   // not destroyed: the persisted examples' lineage still names it
        data.unpersist();
        if (records == 0) throw new IllegalStateException("no valid records in " + kd.inputs() + " for the token level");
        ctx.console().printf("[%s] token level: teacher top-%d (T=%s) over %d records, %d response tokens (%.0fs)%n",
                stage, k, temperature, records, tokens, (System.nanoTime() - t0) / 1e9);
        return scored;
    }

    private static Iterator<KdExample> score(Iterator<SftExample> it, ModelBytes teacher, int k, double temperature) {
        List<SftExample> all = new ArrayList<>();
        it.forEachRemaining(all::add);
        List<KdExample> out = new ArrayList<>(all.size());
        if (all.isEmpty()) return out.iterator();
        // Similar lengths share a forward pass: little compute goes to padding.
        all.sort(Comparator.comparingInt((SftExample e) -> e.tokens().length).thenComparing(SftExample::id));
        TeacherTopK topK = new TeacherTopK(teacher.restore(), k, temperature);
        for (int from = 0; from < all.size(); from += BATCH) {
            out.addAll(topK.score(all.subList(from, Math.min(all.size(), from + BATCH))));
            ai.posttrain.run.KillPoints.reach("distill-topk");
        }
        return out.iterator();
    }

    /** Spark's Row encoder takes Scala sequences for array columns. */
    static <T> scala.collection.Seq<T> seq(List<T> list) {
        return scala.collection.JavaConverters.asScalaBuffer(list).toSeq();
    }

    private static List<Row> rows(KdExample e, double temperature) {
        List<Row> out = new ArrayList<>();
        for (int t = 0; t < e.topIds().length; t++) {
            if (e.topIds()[t] == null) continue;
            Integer[] ids = new Integer[e.topIds()[t].length];
            Float[] logps = new Float[ids.length];
            for (int j = 0; j < ids.length; j++) {
                ids[j] = e.topIds()[t][j];
                logps[j] = e.topLogProbs()[t][j];
            }
            out.add(RowFactory.create(DistillStageSettings.STAGE, e.id(), e.domain(), t, e.tokens()[t + 1], temperature,
                    seq(java.util.Arrays.asList(ids)), seq(java.util.Arrays.asList(logps))));
        }
        return out;
    }
}
