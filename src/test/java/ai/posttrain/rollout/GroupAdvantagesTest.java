package ai.posttrain.rollout;

import ai.posttrain.LocalSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Group-relative advantages with Spark window functions on a real DataFrame. */
class GroupAdvantagesTest {
    private final SparkSession spark = LocalSpark.get();

    /** Groups: p1 rewards {1, 0, 0, 1}, p2 {0.5, 0.5, 0.5, 0.5} (equal: dropped), p3 {2, 0, 1, 1}; p1 again at iteration 1 {1,1,1,1}. */
    private Dataset<Row> rollouts() {
        List<Row> rows = new ArrayList<>();
        double[][] groups = {{1, 0, 0, 1}, {0.5, 0.5, 0.5, 0.5}, {2, 0, 1, 1}};
        for (int g = 0; g < groups.length; g++)
            for (int i = 0; i < 4; i++)
                rows.add(RolloutFixtures.row(0, "p" + (g + 1), i, "math", "q", "a", "1", null, groups[g][i]));
        for (int i = 0; i < 4; i++) rows.add(RolloutFixtures.row(1, "p1", i, "math", "q", "a", "1", null, 1.0));
        return RolloutFixtures.frame(spark, rows);
    }

    private static Map<String, Double> byKey(Dataset<Row> out) {
        Map<String, Double> m = new HashMap<>();
        for (Row r : out.collectAsList()) {
            int a = r.fieldIndex("advantage");
            m.put(r.getInt(r.fieldIndex("iteration")) + "/" + r.getString(r.fieldIndex("prompt_id")) + "/" + r.getInt(r.fieldIndex("sample_index")),
                    r.isNullAt(a) ? null : r.getDouble(a));
        }
        return m;
    }

    @Test
    void grpoNormalisesByTheGroupsMeanAndStd() {
        Dataset<Row> out = new GroupAdvantages(true).transform(rollouts());
        Map<String, Double> a = byKey(out);
        // p1: mean 0.5, population std 0.5 -> +-1; p3: mean 1, std sqrt(0.5).
        assertEquals(1.0, a.get("0/p1/0"), 1e-4);
        assertEquals(-1.0, a.get("0/p1/1"), 1e-4);
        assertEquals(1 / Math.sqrt(0.5), a.get("0/p3/0"), 1e-4);
        assertEquals(0.0, a.get("0/p3/2"), 1e-9);
        assertTrue(a.get("0/p2/0") == null && a.get("1/p1/3") == null, "equal-reward groups have no advantage");
        assertEquals(2, GroupAdvantages.droppedGroups(out), "p2 at iteration 0 and p1 at iteration 1");
        assertEquals(rollouts().count(), out.count(), "rows are kept (for the table), only the update skips them");
    }

    @Test
    void drGrpoOnlyCentres() {
        Map<String, Double> a = byKey(new GroupAdvantages(false).transform(rollouts()));
        assertEquals(0.5, a.get("0/p1/0"), 1e-9);
        assertEquals(-0.5, a.get("0/p1/2"), 1e-9);
        assertEquals(1.0, a.get("0/p3/0"), 1e-9);
        assertEquals(-1.0, a.get("0/p3/1"), 1e-9);
        assertTrue(a.get("0/p2/1") == null);
    }

    @Test
    void aFlaggedSampleNeverEntersTheUpdateWhateverItsReward() {
        List<Row> rows = new ArrayList<>();
        double[] rewards = {5.0, 1.0, 0.0, 0.0};   // sample 0: a hostile completion that somehow scored high
        for (int i = 0; i < 4; i++) rows.add(RolloutFixtures.row(0, "p", i, "code", "q", "a", null, List.of("assert f(1) == 1"), rewards[i]));
        Dataset<Row> in = RolloutFixtures.frame(spark, rows).withColumn("flagged",
                org.apache.spark.sql.functions.col("sample_index").equalTo(0));
        Dataset<Row> out = new GroupAdvantages(true).transform(in);
        Map<Integer, Row> bySample = new HashMap<>();
        for (Row r : out.collectAsList()) bySample.put(r.getInt(r.fieldIndex("sample_index")), r);
        assertTrue(bySample.get(0).isNullAt(bySample.get(0).fieldIndex("advantage")), "flagged: no advantage");
        double a1 = bySample.get(1).getDouble(bySample.get(1).fieldIndex("advantage"));
        assertEquals(Math.sqrt(2), a1, 1e-3, "the group's statistics leave the flagged sample out");
        assertEquals(1, GroupAdvantages.excludedFlagged(out));
    }
}
