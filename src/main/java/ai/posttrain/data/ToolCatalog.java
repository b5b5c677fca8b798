package ai.posttrain.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.Serializable;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The tools the built-in agent data calls, with their required and optional arguments, and a
 * deterministic implementation of each (so generated tool results are consistent and an RL
 * environment can answer calls). The tool-call verifier checks calls against {@link #problems}.
 */
public final class ToolCatalog implements Serializable {
    public enum ArgType {
        STRING, NUMBER;

        boolean accepts(JsonNode v) { return this == STRING ? v.isTextual() : v.isNumber(); }
    }

    public record Tool(String name, String description, Map<String, ArgType> required, Map<String, ArgType> optional)
            implements Serializable {
        /** e.g. {@code get_weather(city, unit?)}. */
        public String signature() {
            List<String> args = new ArrayList<>(required.keySet());
            optional.keySet().forEach(a -> args.add(a + "?"));
            return name + "(" + String.join(", ", args) + ")";
        }
    }

    public static final List<String> UNITS = List.of("celsius", "fahrenheit");
    private static final List<String> CONDITIONS = List.of("sunny", "cloudy", "rainy", "windy", "snowy", "foggy");
    /** Conversion factors to a base unit per dimension: metres, grams, seconds. */
    private static final Map<String, String[]> UNIT_FACTORS = Map.of(
            "km", new String[]{"length", "1000"}, "m", new String[]{"length", "1"}, "cm", new String[]{"length", "0.01"},
            "kg", new String[]{"mass", "1000"}, "g", new String[]{"mass", "1"},
            "h", new String[]{"time", "3600"}, "min", new String[]{"time", "60"}, "s", new String[]{"time", "1"});

    private static final ToolCatalog STANDARD = new ToolCatalog(List.of(
            new Tool("calculator", "evaluates 'a op b' for integers a, b and op one of + - *",
                    ordered("expression", ArgType.STRING), Map.of()),
            new Tool("get_weather", "current weather in a city",
                    ordered("city", ArgType.STRING), ordered("unit", ArgType.STRING)),
            new Tool("convert_units", "converts a value between km, m, cm, kg, g, h, min, s",
                    ordered("value", ArgType.NUMBER, "from_unit", ArgType.STRING, "to_unit", ArgType.STRING), Map.of()),
            new Tool("lookup_capital", "the capital city of a country",
                    ordered("country", ArgType.STRING), Map.of())));

    private final Map<String, Tool> tools = new LinkedHashMap<>();

    private ToolCatalog(List<Tool> tools) { tools.forEach(t -> this.tools.put(t.name(), t)); }

    public static ToolCatalog standard() { return STANDARD; }

    public List<Tool> tools() { return List.copyOf(tools.values()); }

    public Optional<Tool> find(String name) { return Optional.ofNullable(tools.get(name)); }

    /** Tool name to its required argument names (what the tool-call verifier checks). */
    public Map<String, java.util.Set<String>> requiredArguments() {
        Map<String, java.util.Set<String>> out = new LinkedHashMap<>();
        tools.values().forEach(t -> out.put(t.name(), java.util.Set.copyOf(t.required().keySet())));
        return out;
    }

    /** "Tools: calculator(expression), get_weather(city, unit?), ..." for a system prompt. */
    public String systemPrompt() {
        return "Tools: " + tools.values().stream().map(Tool::signature).collect(Collectors.joining(", "));
    }

    /** What is wrong with a call: unknown tool, missing or wrongly typed required argument, unknown argument. Empty: valid. */
    public List<String> problems(ToolCall call) {
        Tool tool = tools.get(call.name());
        if (tool == null) return List.of("unknown tool '" + call.name() + "'");
        List<String> problems = new ArrayList<>();
        tool.required().forEach((arg, type) -> {
            JsonNode v = call.arguments().get(arg);
            if (v == null || v.isNull()) problems.add("missing argument '" + arg + "'");
            else if (!type.accepts(v)) problems.add("argument '" + arg + "' must be a " + type.name().toLowerCase());
        });
        tool.optional().forEach((arg, type) -> {
            JsonNode v = call.arguments().get(arg);
            if (v != null && !v.isNull() && !type.accepts(v)) problems.add("argument '" + arg + "' must be a " + type.name().toLowerCase());
        });
        call.arguments().fieldNames().forEachRemaining(arg -> {
            if (!tool.required().containsKey(arg) && !tool.optional().containsKey(arg))
                problems.add("unknown argument '" + arg + "'");
        });
        return problems;
    }

    /** Runs a call and returns its JSON result; a bad call gets {"error": ...} rather than an exception. */
    public String run(ToolCall call) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        List<String> problems = problems(call);
        if (!problems.isEmpty()) return out.put("error", String.join("; ", problems)).toString();
        ObjectNode a = call.arguments();
        switch (call.name()) {
            case "calculator" -> {
                String[] p = a.get("expression").asText().trim().split("\\s+");
                try {
                    long x = Long.parseLong(p[0]), y = Long.parseLong(p[2]);
                    switch (p.length == 3 ? p[1] : "?") {
                        case "+" -> out.put("result", x + y);
                        case "-" -> out.put("result", x - y);
                        case "*" -> out.put("result", x * y);
                        default -> out.put("error", "expected 'a op b'");
                    }
                } catch (RuntimeException e) {
                    out.put("error", "expected 'a op b' with integers");
                }
            }
            case "get_weather" -> {
                String city = a.get("city").asText();
                String unit = a.hasNonNull("unit") ? a.get("unit").asText() : "celsius";
                if (!UNITS.contains(unit)) return out.put("error", "unit must be celsius or fahrenheit").toString();
                int h = Math.floorMod(city.toLowerCase().hashCode(), 1000);
                int celsius = h % 36 - 5;
                out.put("city", city).put("temperature", unit.equals("celsius") ? celsius : celsius * 9 / 5 + 32)
                        .put("unit", unit).put("condition", CONDITIONS.get(h / 36 % CONDITIONS.size()));
            }
            case "convert_units" -> {
                String[] from = UNIT_FACTORS.get(a.get("from_unit").asText()), to = UNIT_FACTORS.get(a.get("to_unit").asText());
                if (from == null || to == null || !from[0].equals(to[0]))
                    return out.put("error", "cannot convert " + a.get("from_unit").asText() + " to " + a.get("to_unit").asText()).toString();
                BigDecimal v = a.get("value").decimalValue().multiply(new BigDecimal(from[1]))
                        .divide(new BigDecimal(to[1]), java.math.MathContext.DECIMAL64).stripTrailingZeros();
                out.put("value", new BigDecimal(v.toPlainString())).put("unit", a.get("to_unit").asText());
            }
            case "lookup_capital" -> {
                String capital = Facts.CAPITALS.get(a.get("country").asText());
                if (capital == null) out.put("error", "unknown country");
                else out.put("country", a.get("country").asText()).put("capital", capital);
            }
            default -> out.put("error", "not implemented");
        }
        return out.toString();
    }

    private static Map<String, ArgType> ordered(Object... nameTypePairs) {
        Map<String, ArgType> m = new LinkedHashMap<>();
        for (int i = 0; i < nameTypePairs.length; i += 2) m.put((String) nameTypePairs[i], (ArgType) nameTypePairs[i + 1]);
        return m;
    }
}
