package ai.posttrain.report;

import ai.posttrain.run.RunDir;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A run's report: {@code <run>/report/index.html} with PNG plots beside it, readable from the file
 * system without a server. Built from the manifest and whichever tables exist; a section whose
 * tables are missing (e.g. before RL has run) says "not run yet".
 */
public final class RunReport {
    public static final String DIR = "report";
    public static final String INDEX = "index.html";

    private RunReport() {}

    /** Builds the report (replacing an earlier one atomically) and returns the path of its index.html. */
    public static Path write(SparkSession spark, RunDir run) {
        RunTables tables = new RunTables(spark, run);
        ReportPage page = new ReportPage();
        page.paragraph("Run " + run.root() + ", created " + tables.manifest().json().path("created").asText("?") + ".");
        StagesSection.render(page, tables);
        LossSection.render(page, tables);
        EvalSection.render(page, tables);
        RlSection.render(page, tables);
        SamplesSection.render(page, tables);
        ConfigSection.render(page, tables);

        Map<String, byte[]> files = new LinkedHashMap<>(page.images());
        files.put(INDEX, page.html("spark-posttrain run " + run.id()).getBytes(StandardCharsets.UTF_8));
        Path dir = new Path(run.root(), DIR);
        ReportFiles.replace(run.fs(), dir, files);
        return new Path(dir, INDEX);
    }
}
