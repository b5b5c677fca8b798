package ai.posttrain.rollout;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.Arrays;
import java.util.Map;

/**
 * The working form of rollouts inside the RL stage: the {@link RolloutSchema} columns plus what the
 * verifiers need ({@code answer}, {@code tests}); {@link #forTable} cuts it back to the table's columns.
 */
public final class RolloutRows {
    private RolloutRows() {}

    public static final StructType WORK = RolloutSchema.SCHEMA
            .add("answer", DataTypes.StringType, true)
            .add("tests", DataTypes.createArrayType(DataTypes.StringType, false), true);

    /** The rollouts columns in table order, without the partition columns (they become folder names). */
    public static Dataset<Row> forTable(Dataset<Row> work) {
        Column[] cols = Arrays.stream(RolloutSchema.SCHEMA.fieldNames())
                .filter(c -> !Arrays.asList(RolloutSchema.PARTITION_COLUMNS).contains(c))
                .map(org.apache.spark.sql.functions::col).toArray(Column[]::new);
        return work.select(cols);
    }

    /** {@code row} (of {@code in}) as a row of {@code out}, with the named values replaced or added. */
    static Row with(Row row, StructType in, StructType out, Map<String, Object> values) {
        Object[] v = new Object[out.size()];
        for (int i = 0; i < out.size(); i++) {
            String name = out.fields()[i].name();
            if (values.containsKey(name)) v[i] = values.get(name);
            else v[i] = row.get(in.fieldIndex(name));
        }
        return new org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema(v, out);
    }

    /** {@code schema} with these fields replacing same-named ones (in place) or appended. */
    static StructType replacing(StructType schema, StructField... fields) {
        StructType out = new StructType();
        java.util.Map<String, StructField> byName = new java.util.LinkedHashMap<>();
        for (StructField f : fields) byName.put(f.name(), f);
        for (StructField f : schema.fields()) out = out.add(byName.containsKey(f.name()) ? byName.remove(f.name()) : f);
        for (StructField f : byName.values()) out = out.add(f);
        return out;
    }

    static int[] ints(Row r, String col) {
        java.util.List<Integer> l = r.getList(r.fieldIndex(col));
        int[] a = new int[l.size()];
        for (int i = 0; i < a.length; i++) a[i] = l.get(i);
        return a;
    }

    static float[] floats(Row r, String col) {
        int i = r.fieldIndex(col);
        if (r.isNullAt(i)) return null;
        java.util.List<Float> l = r.getList(i);
        float[] a = new float[l.size()];
        for (int j = 0; j < a.length; j++) a[j] = l.get(j);
        return a;
    }

    /** Rows built for an encoder need Scala maps (a java.util.Map passes only through createDataFrame). */
    static scala.collection.Map<String, Double> scalaMap(Map<String, Double> m) {
        return scala.collection.JavaConverters.mapAsScalaMapConverter(new java.util.LinkedHashMap<>(m)).asScala();
    }

    static Float[] boxed(float[] a) {
        Float[] b = new Float[a.length];
        for (int i = 0; i < a.length; i++) b[i] = a[i];
        return b;
    }
}
