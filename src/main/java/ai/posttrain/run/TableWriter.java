package ai.posttrain.run;

import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The one writer for every Parquet table of a run. Each write lands in a hidden temporary folder
 * first and is renamed into place only when complete, so a reader never sees half a table
 * (Spark and Parquet readers skip names starting with '.' or '_').
 */
public final class TableWriter {
    private final RunDir run;

    public TableWriter(RunDir run) { this.run = run; }

    /** Replaces the whole table with {@code rows}. */
    public void replace(String table, Dataset<Row> rows) {
        recoverInterruptedSwap(run.tablePath(table));
        swapInto(run.tablePath(table), rows);
    }

    /** Adds {@code rows} to the table (rewrites it: meant for small tables such as metrics or rejected). */
    public void append(String table, Dataset<Row> rows) {
        appendReplacing(table, rows, org.apache.spark.sql.functions.lit(false));
    }

    /**
     * Adds {@code rows} after dropping the existing rows that match {@code replaced} (e.g. the steps a
     * resumed stage is about to write again), so a rerun never duplicates rows.
     */
    public void appendReplacing(String table, Dataset<Row> rows, org.apache.spark.sql.Column replaced) {
        Path target = run.tablePath(table);
        recoverInterruptedSwap(target);
        // The union reads the old files while the temporary copy is written; only then is the old one replaced.
        Dataset<Row> all = exists(target)
                ? rows.sparkSession().read().parquet(target.toString()).where(org.apache.spark.sql.functions.not(replaced))
                        .unionByName(rows, true)
                : rows;
        swapInto(target, all);
    }

    /**
     * Replaces one partition ({@code table/k1=v1/k2=v2}) with {@code rows}, which must not hold the
     * partition columns: readers get them back from the folder names (Hive-style partitioning).
     */
    public void writePartition(String table, Map<String, String> partition, Dataset<Row> rows) {
        Path target = run.tablePath(table);
        for (Map.Entry<String, String> e : partition.entrySet()) target = new Path(target, e.getKey() + "=" + e.getValue());
        recoverInterruptedSwap(target);
        swapInto(target, rows);
    }

    public Dataset<Row> read(SparkSession spark, String table) {
        recoverInterruptedSwap(run.tablePath(table));
        return spark.read().parquet(run.tablePath(table).toString());
    }

    private boolean exists(Path p) {
        try {
            return run.fs().exists(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void recoverInterruptedSwap(Path target) {
        FolderSwap.recover(run.fs(), target);
    }

    private void swapInto(Path target, Dataset<Row> rows) {
        FolderSwap.replace(run.fs(), target, tmp -> rows.write().mode(SaveMode.ErrorIfExists).parquet(tmp.toString()));
    }
}
