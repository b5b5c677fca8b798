package ai.posttrain.report;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.not;

/**
 * Each suite's headline metric (accuracy, pass_rate, tool_call_validity, format_validity) after each
 * stage, from the {@code eval} table; the untrained baseline is the "start" checkpoint.
 */
final class EvalSection {
    /** Rows of the eval table that are diagnostics, not a suite's headline metric. */
    private static final List<String> DIAGNOSTICS = List.of("format_rate", "stop_rate", "mean_new_tokens");

    private EvalSection() {}

    static void render(ReportPage page, RunTables tables) {
        page.heading("Evaluation by stage and suite");
        Optional<Dataset<Row>> eval = tables.table("eval");
        if (eval.isEmpty()) {
            page.notRunYet("Evaluation");
            return;
        }
        List<Row> rows = eval.get()
                .where(not(col("metric").isin(DIAGNOSTICS.toArray())).and(not(col("metric").contains("@"))))
                .select("stage", "checkpoint", "suite", "metric", "value", "n").collectAsList();
        // Series in run order, the untrained baseline before the trained model of the same stage.
        Comparator<Row> order = Comparator.<Row, String>comparing(r -> r.getString(0), tables.byStageOrder())
                .thenComparing(r -> r.getString(1).equals("start") ? 0 : 1);
        List<Charts.Bar> bars = new ArrayList<>();
        Map<String, Map<String, Double>> bySuite = new TreeMap<>();
        Map<String, Boolean> seriesNames = new LinkedHashMap<>();
        rows.stream().sorted(order).forEach(r -> {
            String series = label(r.getString(0), r.getString(1));
            String suite = r.getString(2) + " (" + r.getString(3) + ")";
            seriesNames.put(series, true);
            bars.add(new Charts.Bar(series, r.getString(2), r.getDouble(4))); // the metric is in the table below
            bySuite.computeIfAbsent(suite, k -> new LinkedHashMap<>()).put(series, r.getDouble(4));
        });
        bars.sort(Comparator.comparing(Charts.Bar::category));
        page.image("eval.png", Charts.bars("Held-out evaluation by stage", "suite", "headline metric", bars, 1.0),
                "held-out evaluation by stage and suite");
        List<String> header = new ArrayList<>(List.of("suite (metric)"));
        header.addAll(seriesNames.keySet());
        List<List<Object>> table = new ArrayList<>();
        bySuite.forEach((suite, values) -> {
            List<Object> line = new ArrayList<>(List.of(suite));
            for (String s : seriesNames.keySet()) line.add(values.get(s));
            table.add(line);
        });
        page.table(header, table);
    }

    private static String label(String stage, String checkpoint) {
        return checkpoint.equals("end") ? stage : stage + " (" + checkpoint + ")";
    }
}
