package ai.posttrain.cli;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** Prints a query result as an aligned text table or as a JSON array of objects. */
final class ResultPrinter {
    private ResultPrinter() {}

    static void print(Dataset<Row> result, String format, int limit, PrintStream out) {
        if (format.equals("json")) {
            List<String> rows = result.limit(limit).toJSON().collectAsList();
            out.println("[" + String.join(",\n ", rows) + "]");
            return;
        }
        String[] names = result.columns();
        List<Row> rows = result.limit(limit).collectAsList();
        List<String[]> cells = new ArrayList<>();
        int[] width = new int[names.length];
        for (int c = 0; c < names.length; c++) width[c] = names[c].length();
        for (Row r : rows) {
            String[] line = new String[names.length];
            for (int c = 0; c < names.length; c++) {
                Object v = r.get(c);
                line[c] = v == null ? "NULL" : cell(v);
                width[c] = Math.max(width[c], Math.min(line[c].length(), 80));
            }
            cells.add(line);
        }
        out.println(formatLine(names, width));
        StringBuilder rule = new StringBuilder();
        for (int c = 0; c < names.length; c++) rule.append(c == 0 ? "" : "-+-").append("-".repeat(width[c]));
        out.println(rule);
        for (String[] line : cells) out.println(formatLine(line, width));
        out.println("(" + rows.size() + " row" + (rows.size() == 1 ? "" : "s") + (rows.size() == limit ? ", limit reached" : "") + ")");
    }

    private static String cell(Object v) {
        String s = v instanceof scala.collection.Seq<?> seq ? seq.mkString("[", ", ", "]") : v.toString();
        s = s.replace("\n", "\\n");
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }

    private static String formatLine(String[] values, int[] width) {
        StringBuilder b = new StringBuilder();
        for (int c = 0; c < values.length; c++) {
            if (c > 0) b.append(" | ");
            String v = values[c];
            b.append(v).append(" ".repeat(Math.max(0, width[c] - v.length())));
        }
        return b.toString().stripTrailing();
    }
}
