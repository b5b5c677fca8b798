package ai.posttrain.stage;

import ai.posttrain.model.ModelBytes;
import ai.posttrain.model.ModelConfig;
import ai.posttrain.model.TransformerGraph;
import ai.posttrain.model.head.TokenLogProbs;
import ai.posttrain.tokenizer.ChatTemplate;
import ai.posttrain.train.Minibatches;
import ai.posttrain.train.SftExample;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.feature.QuantileDiscretizer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;

/**
 * Difficulty levels for SFT records that have none: the current model's mean loss per trained token
 * of each record, computed on the executors, cut into equal-count buckets by Spark MLlib's
 * {@link QuantileDiscretizer}. Level 1 holds the lowest losses (what the model already finds easy).
 */
final class LossDifficulty {
    /** Records are matched back by where they came from: ids need not be unique across files. */
    private static final String[] KEY = {"source", "line", "id"};
    private static final int BATCH = 16;

    private LossDifficulty() {}

    /** {@code records} with every null difficulty replaced by a loss level in 1..levels. */
    static Dataset<Row> fillMissing(SparkSession spark, Dataset<Row> records, ComputationGraph model, ModelConfig config,
                                    ChatTemplate template, int levels) {
        Dataset<Row> missing = records.where(col("difficulty").isNull());
        if (missing.isEmpty()) return records;
        Dataset<Row> losses = perRecordLoss(spark, missing, model, config, template);
        Dataset<Row> levelled = new QuantileDiscretizer()
                .setInputCol("loss").setOutputCol("bucket").setNumBuckets(levels)
                .fit(losses).transform(losses)
                .select(col("source"), col("line"), col("id"), col("bucket").cast("int").plus(1).alias("loss_level"));
        return records.join(levelled, scala.collection.JavaConverters.asScalaBuffer(List.of(KEY)).toSeq(), "left")
                .withColumn("difficulty", coalesce(col("difficulty"), col("loss_level")))
                .drop("loss_level")
                .select(records.columns()[0], java.util.Arrays.copyOfRange(records.columns(), 1, records.columns().length));
    }

    /** source, line, id, loss: the model's mean negative log-likelihood over each record's trained tokens. */
    static Dataset<Row> perRecordLoss(SparkSession spark, Dataset<Row> records, ComputationGraph model, ModelConfig config,
                                      ChatTemplate template) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<ModelBytes> shared = sc.broadcast(ModelBytes.of(model, config));
        JavaRDD<Row> rows = records.select("source", "line", "id", "domain", "messages").javaRDD()
                .map(r -> new scala.Tuple2<>(RowFactory.create(r.getString(0), r.getLong(1), r.getString(2)),
                        SftExample.render(r.getString(2), r.getString(3), r.getList(4), template)))
                .mapPartitions(it -> lossesOf(it, shared.value()));
        StructType schema = new StructType().add("source", DataTypes.StringType).add("line", DataTypes.LongType)
                .add("id", DataTypes.StringType).add("loss", DataTypes.DoubleType);
        Dataset<Row> out = spark.createDataFrame(rows, schema).cache();
        out.count();
        // Unpersist, not destroy: later jobs on `out` still serialize its lineage, which holds the broadcast.
        shared.unpersist();
        return out;
    }

    private static Iterator<Row> lossesOf(Iterator<scala.Tuple2<Row, SftExample>> items, ModelBytes model) {
        List<Row> out = new ArrayList<>();
        if (!items.hasNext()) return out.iterator();
        ComputationGraph net = model.restore();
        List<scala.Tuple2<Row, SftExample>> batch = new ArrayList<>(BATCH);
        while (items.hasNext()) {
            batch.add(items.next());
            if (batch.size() < BATCH && items.hasNext()) continue;
            List<SftExample> examples = batch.stream().map(scala.Tuple2::_2).toList();
            MultiDataSet data = Minibatches.sftBatch(examples);
            int[][] targets = new int[examples.size()][];
            for (int e = 0; e < examples.size(); e++) {
                int[] tokens = examples.get(e).tokens();
                targets[e] = java.util.Arrays.copyOfRange(tokens, 1, tokens.length);
            }
            double[][] logProbs = TokenLogProbs.compute(net, TransformerGraph.HEAD, data.getFeatures(),
                    data.getFeaturesMaskArrays(), targets);
            for (int e = 0; e < examples.size(); e++) {
                boolean[] trained = examples.get(e).trained();
                double sum = 0;
                int n = 0;
                for (int i = 0; i < targets[e].length; i++) {
                    if (trained[i + 1]) {
                        sum -= logProbs[e][i];
                        n++;
                    }
                }
                Row key = batch.get(e)._1();
                out.add(RowFactory.create(key.getString(0), key.getLong(1), key.getString(2), n == 0 ? 0.0 : sum / n));
            }
            batch.clear();
        }
        return out.iterator();
    }
}
