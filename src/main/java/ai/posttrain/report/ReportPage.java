package ai.posttrain.report;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report being built: an HTML body plus the PNG files it references. Methods take plain text and
 * escape it; only this class writes markup.
 */
final class ReportPage {
    private final StringBuilder body = new StringBuilder();
    private final Map<String, byte[]> images = new LinkedHashMap<>();

    void heading(String text) { body.append("<h2>").append(Html.escape(text)).append("</h2>\n"); }

    void subheading(String text) { body.append("<h3>").append(Html.escape(text)).append("</h3>\n"); }

    void paragraph(String text) { body.append("<p>").append(Html.escape(text)).append("</p>\n"); }

    /** The marker a section shows when the tables it needs do not exist yet. */
    void notRunYet(String what) {
        body.append("<p class=\"missing\">").append(Html.escape(what)).append(": not run yet</p>\n");
    }

    void preformatted(String text) { body.append("<pre>").append(Html.escape(text)).append("</pre>\n"); }

    /** Adds a PNG file and shows it; {@code file} is a plain name such as {@code loss.png}. */
    void image(String file, byte[] png, String alt) {
        if (!file.matches("[a-z0-9_-]+\\.png")) throw new IllegalArgumentException("bad image name " + file);
        images.put(file, png);
        body.append("<img src=\"").append(file).append("\" alt=\"").append(Html.escape(alt)).append("\">\n");
    }

    /** A table of cells; numbers are formatted with 4 significant decimals, null shows as an empty cell. */
    void table(List<String> header, List<List<Object>> rows) {
        body.append("<table>\n<tr>");
        for (String h : header) body.append("<th>").append(Html.escape(h)).append("</th>");
        body.append("</tr>\n");
        for (List<Object> row : rows) {
            body.append("<tr>");
            for (Object cell : row) {
                boolean number = cell instanceof Number;
                body.append(number ? "<td class=\"num\">" : "<td>").append(Html.escape(format(cell))).append("</td>");
            }
            body.append("</tr>\n");
        }
        body.append("</table>\n");
    }

    static String format(Object cell) {
        if (cell == null) return "";
        if (cell instanceof Double || cell instanceof Float) {
            double d = ((Number) cell).doubleValue();
            if (Double.isNaN(d)) return "";
            return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.format(Locale.ROOT, "%.4g", d);
        }
        return cell.toString();
    }

    Map<String, byte[]> images() { return images; }

    String html(String title) {
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + Html.escape(title)
                + "</title>\n<style>\n"
                + "body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}\n"
                + "table{border-collapse:collapse;margin:.5em 0 1em}td,th{border:1px solid #ccc;padding:3px 8px;vertical-align:top;text-align:left;white-space:pre-wrap}\n"
                + "td.num{text-align:right;font-variant-numeric:tabular-nums}th{background:#f3f3f3}\n"
                + "pre{background:#f7f7f7;padding:.6em;overflow-x:auto;white-space:pre-wrap;font-size:90%}\n"
                + "img{max-width:100%;display:block;margin:.5em 0}.missing{color:#a60;font-style:italic}\n"
                + "</style>\n</head>\n<body>\n<h1>" + Html.escape(title) + "</h1>\n" + body + "</body>\n</html>\n";
    }
}
