package ai.posttrain.report;

import ai.posttrain.run.Manifest;
import ai.posttrain.run.RunDir;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** What the report reads: the run's manifest and whichever of its tables exist so far. */
final class RunTables {
    private final SparkSession spark;
    private final RunDir run;
    private final Manifest manifest;
    private final Set<String> present;

    RunTables(SparkSession spark, RunDir run) {
        this.spark = spark;
        this.run = run;
        this.manifest = run.manifest();
        this.present = new TreeSet<>(run.tables());
    }

    Manifest manifest() { return manifest; }

    RunDir run() { return run; }

    /** The table, or empty when no stage has written it yet. */
    Optional<Dataset<Row>> table(String name) {
        return present.contains(name) ? Optional.of(spark.read().parquet(run.tablePath(name).toString())) : Optional.empty();
    }

    /** Stages in the order they first ran (the manifest keeps insertion order). */
    List<String> stageOrder() {
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = manifest.json().path("stages").fieldNames(); it.hasNext(); ) out.add(it.next());
        return out;
    }

    /**
     * Orders names by {@link #stageOrder()}, names the manifest does not know last, alphabetically. A sub-stage's
     * name ({@code rl/stem}) comes just before its stage's, sub-stages in their configured order.
     */
    Comparator<String> byStageOrder() {
        List<String> order = stageOrder();
        java.util.function.ToIntFunction<String> stageIndex = s -> {
            String stage = s.contains("/") ? s.substring(0, s.indexOf('/')) : s;
            return order.contains(stage) ? order.indexOf(stage) : order.size();
        };
        java.util.Map<String, List<String>> subStages = new java.util.HashMap<>();   // read from the manifest once per stage
        java.util.function.ToIntFunction<String> subIndex = s -> {
            if (!s.contains("/")) return Integer.MAX_VALUE;   // the stage's own rows after its sub-stages'
            List<String> subs = subStages.computeIfAbsent(s.substring(0, s.indexOf('/')), this::subStages);
            int i = subs.indexOf(s.substring(s.indexOf('/') + 1));
            return i >= 0 ? i : subs.size();
        };
        return Comparator.comparingInt(stageIndex).thenComparingInt(subIndex).thenComparing(Comparator.naturalOrder());
    }

    /** A stage's configured sub-stage names, in order (empty when it has none or the manifest has no config). */
    List<String> subStages(String stage) {
        List<String> out = new ArrayList<>();
        for (com.fasterxml.jackson.databind.JsonNode sub : manifest.json().path("config").path("stages").path(stage).path("sub-stages"))
            out.add(sub.path("name").asText());
        return out;
    }
}
