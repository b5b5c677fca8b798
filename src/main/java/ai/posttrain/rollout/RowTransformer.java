package ai.posttrain.rollout;

import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A Spark ML {@link Transformer} that rewrites a DataFrame partition by partition (a model is restored
 * once per partition, not per row). Subclasses say which columns they need and add.
 */
abstract class RowTransformer extends Transformer {
    private final String uid;

    RowTransformer(String prefix) { this.uid = Identifiable$.MODULE$.randomUID(prefix); }

    @Override public String uid() { return uid; }

    /** Columns the input must have. */
    abstract List<String> inputColumns();

    /** The output schema for an input schema that has the input columns. */
    abstract StructType outputSchema(StructType in);

    /** Rewrites one partition; {@code in}/{@code out} are the schemas. */
    abstract Iterator<Row> apply(Iterator<Row> rows, StructType in, StructType out) throws Exception;

    @Override
    public StructType transformSchema(StructType schema) {
        List<String> missing = new ArrayList<>();
        for (String c : inputColumns()) if (!List.of(schema.fieldNames()).contains(c)) missing.add(c);
        if (!missing.isEmpty()) throw new IllegalArgumentException(getClass().getSimpleName() + " needs columns " + missing
                + "; the DataFrame has " + List.of(schema.fieldNames()));
        return outputSchema(schema);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType in = dataset.schema();
        StructType out = transformSchema(in);
        Dataset<Row> rows = dataset.toDF();
        return rows.mapPartitions((MapPartitionsFunction<Row, Row>) it -> apply(withSchema(it, in), in, out), Encoders.row(out));
    }

    @Override public Transformer copy(ParamMap extra) { return this; }

    /** Rows handed to a partition function may come without their schema; readers here look columns up by name. */
    private static Iterator<Row> withSchema(Iterator<Row> rows, StructType schema) {
        return new Iterator<>() {
            @Override public boolean hasNext() { return rows.hasNext(); }

            @Override public Row next() {
                Row r = rows.next();
                if (r.schema() != null) return r;
                Object[] v = new Object[r.length()];
                for (int i = 0; i < v.length; i++) v[i] = r.get(i);
                return new GenericRowWithSchema(v, schema);
            }
        };
    }
}
