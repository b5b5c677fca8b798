package ai.posttrain.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The run's resolved configuration, seeds and versions, as the manifest recorded them. */
final class ConfigSection {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ConfigSection() {}

    static void render(ReportPage page, RunTables tables) {
        JsonNode manifest = tables.manifest().json();
        page.heading("Configuration");
        page.paragraph("Seeds " + manifest.path("seeds") + "; versions " + manifest.path("versions") + ".");
        page.preformatted(pretty(manifest.path("config")));
    }

    private static String pretty(JsonNode node) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
