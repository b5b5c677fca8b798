package ai.posttrain.report;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Each stage's status, start, end and duration, from the manifest. */
final class StagesSection {
    private StagesSection() {}

    static void render(ReportPage page, RunTables tables) {
        page.heading("Stages");
        List<String> stages = tables.stageOrder();
        if (stages.isEmpty()) {
            page.notRunYet("Stages");
            return;
        }
        List<List<Object>> rows = new ArrayList<>();
        for (String stage : stages) {
            JsonNode s = tables.manifest().json().path("stages").path(stage);
            double seconds = tables.manifest().stageSeconds(stage);
            rows.add(Arrays.asList(stage, s.path("status").asText(""), s.path("started").asText(""),
                    s.path("finished").asText(""), Double.isNaN(seconds) ? null : seconds));
        }
        page.table(List.of("stage", "status", "started", "finished", "seconds"), rows);
    }
}
