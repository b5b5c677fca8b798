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

    /** An array column's values whichever form Spark hands them in (a Scala Seq, or the Java array a row was built with). */
    static java.util.List<?> list(Row r, String col) {
        int i = r.fieldIndex(col);
        if (r.isNullAt(i)) return null;
        Object v = r.get(i);
        if (v instanceof Object[] a) return java.util.Arrays.asList(a);
        if (v instanceof scala.collection.Seq<?> seq) return scala.collection.JavaConverters.seqAsJavaList(seq);
        if (v instanceof java.util.List<?> l) return l;
        throw new IllegalArgumentException("column " + col + " holds " + v.getClass().getName() + ", not an array");
    }

    static int[] ints(Row r, String col) {
        java.util.List<?> l = list(r, col);
        int[] a = new int[l.size()];
        for (int i = 0; i < a.length; i++) a[i] = ((Number) l.get(i)).intValue();
        return a;
    }

    static float[] floats(Row r, String col) {
        java.util.List<?> l = list(r, col);
        if (l == null) return null;
        float[] a = new float[l.size()];
        for (int j = 0; j < a.length; j++) a[j] = ((Number) l.get(j)).floatValue();
        return a;
    }

    static java.util.List<String> strings(Row r, String col) {
        java.util.List<?> l = list(r, col);
        java.util.List<String> out = new java.util.ArrayList<>();
        if (l != null) for (Object o : l) out.add((String) o);
        return out;
    }

    /** A Scala Seq: the form Spark's row encoder and Row.getList both accept. */
    static <T> scala.collection.Seq<T> seq(java.util.List<T> values) {
        return scala.collection.JavaConverters.asScalaBuffer(new java.util.ArrayList<>(values)).toSeq();
    }

    /** Rows built for an encoder need Scala maps (a java.util.Map passes only through createDataFrame). */
    static scala.collection.Map<String, Double> scalaMap(Map<String, Double> m) {
        return scala.collection.JavaConverters.mapAsScalaMapConverter(new java.util.LinkedHashMap<>(m)).asScala();
    }

    static scala.collection.Seq<Float> boxed(float[] a) {
        java.util.List<Float> b = new java.util.ArrayList<>(a.length);
        for (float v : a) b.add(v);
        return seq(b);
    }
}
