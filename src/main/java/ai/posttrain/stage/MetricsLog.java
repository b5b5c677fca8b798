package ai.posttrain.stage;

import ai.posttrain.run.TableWriter;
import ai.posttrain.train.SparkTrainer;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;

/**
 * Per-step metrics of one stage, written to the run's {@code metrics} table at every checkpoint
 * (every stage shares this one table). A resumed stage rewrites the steps after its checkpoint, so no
 * step appears twice. {@code extra} holds a stage's own per-step values (e.g. RL reward, KL, monitor
 * flags as 0/1) by name: {@code select extra['kl'] from metrics}. A training step's {@code extra['worker_seconds']} is
 * the executors' part of its {@code seconds}: the rest is per-step Spark and averaging overhead.
 */
public final class MetricsLog {
    public static final StructType SCHEMA = new StructType()
            .add("stage", DataTypes.StringType).add("phase", DataTypes.StringType)
            .add("step", DataTypes.IntegerType).add("loss", DataTypes.DoubleType)
            .add("lr", DataTypes.DoubleType).add("tokens", DataTypes.LongType)
            .add("tokens_per_s", DataTypes.DoubleType).add("seconds", DataTypes.DoubleType)
            .add("time", DataTypes.StringType)
            .add("extra", DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType));

    private final SparkSession spark;
    private final TableWriter tables;
    private final String stage;
    private final List<Row> pending = new ArrayList<>();

    public MetricsLog(SparkSession spark, TableWriter tables, String stage) {
        this.spark = spark;
        this.tables = tables;
        this.stage = stage;
    }

    public void add(String phase, SparkTrainer.Step s) {
        add(phase, s, Map.of());
    }

    public void add(String phase, SparkTrainer.Step s, Map<String, Double> extra) {
        Map<String, Double> values = new java.util.LinkedHashMap<>(extra);
        if (!Double.isNaN(s.workerSeconds())) values.put("worker_seconds", s.workerSeconds());
        pending.add(RowFactory.create(stage, phase, s.step(), s.loss(), s.lr(), s.tokens(), s.tokensPerSecond(),
                s.seconds(), Instant.now().toString(), values));
    }

    /** Writes the pending rows, replacing this stage's rows from the first pending step on. */
    public void flush() {
        if (pending.isEmpty()) return;
        int first = pending.get(0).getInt(2);
        tables.appendReplacing("metrics", spark.createDataFrame(pending, SCHEMA),
                col("stage").equalTo(stage).and(col("step").geq(first)));
        pending.clear();
    }
}
