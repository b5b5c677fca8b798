package ai.posttrain.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SQL of a notebook, by its convention: a code cell tagged {@code sql} starts with
 * {@code # sql: <name>} and holds exactly one {@code spark.sql("""…""")}. A {@code spark.sql} call in
 * an untagged cell is an error, so no query escapes the test.
 */
public final class NotebookSqlCells {
    public record Cell(String name, String sql) {}

    private static final Pattern NAME = Pattern.compile("^# sql: ([A-Za-z_][A-Za-z0-9_]*)\\s*$", Pattern.MULTILINE);
    private static final Pattern QUERY = Pattern.compile("spark\\.sql\\(\\s*\"\"\"(.*?)\"\"\"\\s*\\)", Pattern.DOTALL);

    private NotebookSqlCells() {}

    public static List<Cell> parse(String notebookJson) throws IOException {
        JsonNode nb = new ObjectMapper().readTree(notebookJson);
        if (nb.path("nbformat").asInt() != 4) throw new IllegalArgumentException("not an nbformat 4 notebook");
        List<Cell> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        int index = 0;
        for (JsonNode cell : nb.path("cells")) {
            index++;
            if (!cell.path("cell_type").asText().equals("code")) continue;
            String source = source(cell);
            boolean tagged = false;
            for (JsonNode tag : cell.path("metadata").path("tags")) tagged |= tag.asText().equals("sql");
            if (!tagged) {
                if (source.contains("spark.sql(")) throw new IllegalArgumentException("cell " + index + " calls spark.sql but is not tagged 'sql'");
                continue;
            }
            Matcher name = NAME.matcher(source.lines().findFirst().orElse(""));
            if (!name.matches()) throw new IllegalArgumentException("sql cell " + index + " does not start with '# sql: <name>'");
            Matcher query = QUERY.matcher(source);
            if (!query.find()) throw new IllegalArgumentException("sql cell " + index + " has no spark.sql(\"\"\"…\"\"\")");
            String sql = query.group(1).strip();
            if (query.find()) throw new IllegalArgumentException("sql cell " + index + " has more than one query");
            if (!names.add(name.group(1))) throw new IllegalArgumentException("sql cell name '" + name.group(1) + "' is used twice");
            out.add(new Cell(name.group(1), sql));
        }
        return out;
    }

    /** A cell's source: nbformat allows one string or a list of lines. */
    static String source(JsonNode cell) {
        JsonNode s = cell.path("source");
        if (s.isTextual()) return s.asText();
        StringBuilder b = new StringBuilder();
        for (JsonNode line : s) b.append(line.asText());
        return b.toString();
    }
}
