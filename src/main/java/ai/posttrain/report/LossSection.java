package ai.posttrain.report;

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
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.min_by;
import static org.apache.spark.sql.functions.sum;

/** Training loss per stage against step, from the {@code metrics} table. */
final class LossSection {
    private LossSection() {}

    static void render(ReportPage page, RunTables tables) {
        page.heading("Training loss");
        Optional<Dataset<Row>> metrics = tables.table("metrics");
        if (metrics.isEmpty()) {
            page.notRunYet("Training");
            return;
        }
        Map<String, List<Charts.Point>> series = new LinkedHashMap<>();
        List<Row> points = metrics.get().select("stage", "step", "loss").orderBy("step").collectAsList();
        points.stream().map(r -> r.getString(0)).distinct().sorted(tables.byStageOrder())
                .forEach(stage -> series.put(stage, new ArrayList<>()));
        for (Row r : points) series.get(r.getString(0)).add(new Charts.Point(r.getInt(1), r.getDouble(2)));
        page.image("loss.png", Charts.lines("Training loss per stage", "step", "loss", series), "training loss per stage");

        List<Row> summary = metrics.get().groupBy("stage")
                .agg(count("*"), min_by(col("loss"), col("step")), max_by(col("loss"), col("step")),
                        avg("tokens_per_s"), sum("seconds"))
                .collectAsList();
        List<List<Object>> rows = new ArrayList<>();
        summary.stream().sorted((a, b) -> tables.byStageOrder().compare(a.getString(0), b.getString(0)))
                .forEach(r -> rows.add(Arrays.asList(r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5))));
        page.table(List.of("stage", "steps", "first loss", "last loss", "mean tokens/s", "training seconds"), rows);
    }
}
