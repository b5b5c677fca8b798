package ai.posttrain.report;

import ai.posttrain.rollout.RolloutSchema;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.sum;

/**
 * RL progress per sub-stage and iteration from the {@code rollouts} table: mean reward, verifier
 * accuracy (share of {@code verifier_correct}), completion length and KL to the reference; where the hacking
 * monitor fired (its {@code <sub-stage>:monitor} rows in {@code metrics}), a red mark on every plot and a table.
 */
final class RlSection {
    private RlSection() {}

    /** One plotted column of the per-iteration summary: its column index there, file and axis label. */
    private record Plot(int column, String file, String title, String axis) {}

    private static final List<Plot> PLOTS = List.of(
            new Plot(3, "rl_reward.png", "Mean reward per iteration", "reward"),
            new Plot(4, "rl_accuracy.png", "Verifier accuracy per iteration", "verifier_correct rate"),
            new Plot(5, "rl_length.png", "Mean completion length per iteration", "tokens"),
            new Plot(6, "rl_kl.png", "Mean KL to the reference per iteration", "KL"));

    static void render(ReportPage page, RunTables tables) {
        page.heading("RL");
        Optional<Dataset<Row>> rollouts = tables.table(RolloutSchema.TABLE);
        if (rollouts.isEmpty()) {
            page.notRunYet("RL");
            return;
        }
        List<Row> summary = rollouts.get().groupBy("sub_stage", "iteration")
                .agg(count("*"), avg("reward"), avg(col("verifier_correct").cast("double")), avg("length"), avg("kl"),
                        sum(col("flagged").cast("int")))
                .orderBy("sub_stage", "iteration").collectAsList();
        List<Row> events = monitorEvents(tables);
        List<Charts.Mark> marks = new ArrayList<>();
        for (Row e : events) marks.add(new Charts.Mark(e.getInt(1), e.getString(0) + ": monitor " + e.getString(2)));
        for (Plot plot : PLOTS) {
            Map<String, List<Charts.Point>> series = new LinkedHashMap<>();
            for (Row r : summary) {
                if (r.isNullAt(plot.column())) continue; // e.g. no verifier in the preference sub-stage
                series.computeIfAbsent(r.getString(0), k -> new ArrayList<>())
                        .add(new Charts.Point(r.getInt(1), r.getDouble(plot.column())));
            }
            if (series.isEmpty()) {
                page.paragraph(plot.title() + ": no values recorded in any sub-stage.");
            } else {
                page.image(plot.file(), Charts.lines(plot.title(), "iteration", plot.axis(), series, marks), plot.title());
            }
        }
        List<List<Object>> rows = new ArrayList<>();
        for (Row r : summary) rows.add(Arrays.asList(r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5), r.get(6), r.get(7)));
        page.table(List.of("sub-stage", "iteration", "rollouts", "mean reward", "verifier accuracy", "mean length", "mean KL",
                "flagged"), rows);
        if (!events.isEmpty()) {
            page.paragraph("Hacking monitor events (a signal held for monitor.patience iterations; red marks on the plots above):");
            List<List<Object>> eventRows = new ArrayList<>();
            for (Row e : events) eventRows.add(Arrays.asList(e.get(0), e.get(1), e.get(2), e.get(3), e.get(4), e.get(5)));
            page.table(List.of("sub-stage", "fired at iteration", "action", "signals", "signal since iteration", "kept policy of iteration"), eventRows);
        }
    }

    /** (sub-stage, iteration, action, signals, signal start, good iteration) of each monitor event, from metrics. */
    private static List<Row> monitorEvents(RunTables tables) {
        Optional<Dataset<Row>> metrics = tables.table("metrics");
        if (metrics.isEmpty()) return List.of();
        List<Row> out = new ArrayList<>();
        for (Row r : metrics.get().where(col("stage").equalTo("rl").and(col("phase").endsWith(":monitor"))).orderBy("step").collectAsList()) {
            Map<String, Double> extra = r.getJavaMap(r.fieldIndex("extra"));
            String phase = r.getString(r.fieldIndex("phase"));
            String action = extra.keySet().stream().filter(k -> k.startsWith("monitor_action_")).map(k -> k.substring(15)).findFirst().orElse("?");
            String signals = String.join(",", extra.entrySet().stream().filter(e -> e.getKey().startsWith("monitor_")
                    && !e.getKey().startsWith("monitor_action_") && !e.getKey().equals("monitor_fired") && e.getValue() == 1.0)
                    .map(e -> e.getKey().substring(8)).sorted().toList());
            out.add(org.apache.spark.sql.RowFactory.create(phase.substring(0, phase.length() - ":monitor".length()),
                    r.getInt(r.fieldIndex("step")), action, signals,
                    extra.getOrDefault("signal_start_iteration", Double.NaN).intValue(), extra.getOrDefault("good_iteration", Double.NaN).intValue()));
        }
        return out;
    }
}
