package ai.posttrain.stage;

import ai.posttrain.config.SftStageSettings.Phase;
import ai.posttrain.data.RecordSchemas;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.hash;
import static org.apache.spark.sql.functions.lit;

/**
 * The records of one curriculum phase: those of the phase's difficulty levels, sampled per domain
 * (Spark's stratified {@code sampleBy}) so that the domains appear in the phase's mixture
 * proportions. The largest such sample is drawn: the scarcest domain relative to its weight is
 * taken whole, the others are sampled down to match.
 */
final class Curriculum {
    private Curriculum() {}

    /**
     * The records {@code selection} picks (levels, domain mixture), then a seeded sample of at most {@code maxRecords}
     * of them: ordered by a hash of the id, the first ones.
     */
    static Dataset<Row> sample(Dataset<Row> records, Phase selection, int maxRecords, long seed, PrintStream console) {
        return phaseRecords(records, selection, seed, console)
                .orderBy(hash(col("id"), lit(seed)), col("id")).limit(maxRecords);
    }

    static Dataset<Row> phaseRecords(Dataset<Row> records, Phase phase, long seed, PrintStream console) {
        if (phase.unrestricted()) return records;
        Dataset<Row> levels = RecordSchemas.atLevels(records, phase.difficulties(), phase.domainDifficulties());
        if (phase.mixture().isEmpty()) return levels;   // the data's own domain proportions
        Map<String, Long> available = new HashMap<>();
        for (Row r : levels.groupBy("domain").count().collectAsList()) available.put(r.getString(0), r.getLong(1));

        double weightSum = 0;
        double scale = Double.POSITIVE_INFINITY;   // records per unit of weight in the largest feasible sample
        for (Map.Entry<String, Double> e : phase.mixture().entrySet()) {
            long n = available.getOrDefault(e.getKey(), 0L);
            if (n == 0) {
                console.println("  phase " + phase.name() + ": no records of domain '" + e.getKey()
                        + "' at difficulties " + phase.difficulties() + levelsOf(phase) + "; its weight is dropped");
                continue;
            }
            weightSum += e.getValue();
            scale = Math.min(scale, n / e.getValue());
        }
        if (weightSum == 0) {
            throw new IllegalStateException("curriculum phase '" + phase.name() + "' matches no records (difficulties "
                    + phase.difficulties() + levelsOf(phase) + ", domains " + phase.mixture().keySet() + ", available " + available + ")");
        }
        Map<Object, Double> fractions = new HashMap<>();
        for (String domain : available.keySet()) {
            Double w = phase.mixture().get(domain);
            fractions.put(domain, w == null ? 0.0 : Math.min(1.0, w * scale / available.get(domain)));
        }
        return levels.stat().sampleBy("domain", fractions, seed);
    }

    private static String levelsOf(Phase phase) {
        return phase.domainDifficulties().isEmpty() ? "" : " (by domain " + phase.domainDifficulties() + ")";
    }

    /** "chat=120 math=40 …": what a phase actually trains on, for the console. */
    static String describe(Dataset<Row> records) {
        List<Row> counts = records.groupBy("domain").count().orderBy("domain").collectAsList();
        StringBuilder b = new StringBuilder();
        for (Row r : counts) b.append(b.isEmpty() ? "" : " ").append(r.getString(0)).append('=').append(r.getLong(1));
        return b.toString();
    }
}
