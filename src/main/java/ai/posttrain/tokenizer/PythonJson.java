package ai.posttrain.tokenizer;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * JSON as Python's {@code json.dumps(x, ensure_ascii=False, indent=indent)} writes it, which is what
 * transformers' {@code tojson} filter produces: ", " and ": " separators without indent, "," and newlines with it.
 * Jinjava's own tojson is Jackson's compact form, so tool schemas would render differently from HF.
 */
final class PythonJson {
    private PythonJson() {}

    static String dumps(Object value, Integer indent) {
        StringBuilder out = new StringBuilder();
        write(value, indent, 0, out);
        return out.toString();
    }

    private static void write(Object v, Integer indent, int depth, StringBuilder out) {
        if (v == null) out.append("null");
        else if (v instanceof Boolean b) out.append(b ? "true" : "false");
        else if (v instanceof Double d) out.append(d.isInfinite() || d.isNaN() ? (d > 0 ? "Infinity" : d < 0 ? "-Infinity" : "NaN") : d.toString());
        else if (v instanceof Number n) out.append(n);
        else if (v instanceof Map<?, ?> m) container(m.entrySet().iterator(), '{', '}', m.isEmpty(), indent, depth, out);
        else if (v instanceof Iterable<?> l) container(l.iterator(), '[', ']', !l.iterator().hasNext(), indent, depth, out);
        else if (v instanceof Object[] a) write(List.of(a), indent, depth, out);
        else string(v.toString(), out);
    }

    private static void container(Iterator<?> items, char open, char close, boolean empty, Integer indent, int depth, StringBuilder out) {
        out.append(open);
        if (empty) { out.append(close); return; }
        boolean first = true;
        while (items.hasNext()) {
            Object item = items.next();
            if (!first) out.append(indent == null ? ", " : ",");
            first = false;
            if (indent != null) out.append('\n').append(" ".repeat(indent * (depth + 1)));
            if (item instanceof Map.Entry<?, ?> e) {
                string(String.valueOf(e.getKey()), out);
                out.append(": ");
                write(e.getValue(), indent, depth + 1, out);
            } else {
                write(item, indent, depth + 1, out);
            }
        }
        if (indent != null) out.append('\n').append(" ".repeat(indent * depth));
        out.append(close);
    }

    private static void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
                    else out.append(c);
                }
            }
        }
        out.append('"');
    }
}
