package ai.posttrain.data.builtin;

import ai.posttrain.data.BuiltinRecord;
import ai.posttrain.data.Facts;
import ai.posttrain.data.Message;
import ai.posttrain.data.ToolCall;
import ai.posttrain.data.ToolCatalog;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Tool use with the {@link ToolCatalog} tools, domain "agent": the assistant answers a request
 * with a {@code <tool_call>} turn, a {@code tool} turn carries the result (computed by
 * {@link ToolCatalog#run}), and a final assistant turn answers from it.
 * Difficulty 1: one call with one argument (calculator, lookup_capital). 2: one call with several
 * arguments (get_weather with a unit, convert_units), under the catalog's system prompt.
 * 3: two chained calls (the capital, then its weather; or two cities' weather compared).
 */
public final class AgentDialogs implements Generator {
    private static final ToolCatalog TOOLS = ToolCatalog.standard();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[][] CONVERSIONS = {{"km", "m"}, {"m", "cm"}, {"kg", "g"}, {"h", "min"}, {"min", "s"}, {"m", "km"}, {"g", "kg"}};

    @Override
    public BuiltinRecord draw(Random rnd, int difficulty) {
        List<Message> m = new ArrayList<>();
        String key;
        if (difficulty >= 2) m.add(new Message("system", TOOLS.systemPrompt()));
        if (difficulty == 1) {
            if (rnd.nextBoolean()) {
                int a = Pick.between(rnd, 12, 999), b = Pick.between(rnd, 12, 999);
                char op = Pick.one(rnd, '+', '-', '*');
                String expr = a + " " + op + " " + b;
                key = MathProblems.key(a, op, b);  // same problem, same split as in the math suite
                m.add(Message.user(Pick.one(rnd, "Please calculate ", "Use the calculator to work out ") + expr + "."));
                JsonNode r = call(m, "calculator", args("expression", expr));
                m.add(Message.assistant(expr + " = " + r.get("result").asText() + "."));
            } else {
                String country = Conversations.pickKey(rnd, Facts.CAPITALS);
                key = "chat:capital:" + country;
                m.add(Message.user("Look up the capital of " + country + "."));
                JsonNode r = call(m, "lookup_capital", args("country", country));
                m.add(Message.assistant("The capital of " + country + " is " + r.get("capital").asText() + "."));
            }
        } else if (difficulty == 2) {
            if (rnd.nextBoolean()) {
                String city = Pick.one(rnd, new ArrayList<>(Facts.CAPITALS.values()));
                String unit = Pick.one(rnd, ToolCatalog.UNITS);
                key = "agent:weather:" + city + ":" + unit;
                m.add(Message.user("What's the weather in " + city + " in " + unit + "?"));
                JsonNode r = call(m, "get_weather", args("city", city, "unit", unit));
                m.add(Message.assistant("It is " + r.get("temperature").asText() + " degrees " + unit + " and "
                        + r.get("condition").asText() + " in " + city + "."));
            } else {
                String[] u = Pick.one(rnd, CONVERSIONS);
                BigDecimal v = BigDecimal.valueOf(Pick.between(rnd, 1, 99)).divide(BigDecimal.valueOf(Pick.one(rnd, 1, 2, 10)));
                String value = v.stripTrailingZeros().toPlainString();
                key = "agent:convert:" + value + u[0] + ":" + u[1];
                m.add(Message.user("How many " + u[1] + " are in " + value + " " + u[0] + "?"));
                ObjectNode a = args("from_unit", u[0], "to_unit", u[1]);
                a.put("value", new BigDecimal(value));
                JsonNode r = call(m, "convert_units", a);
                m.add(Message.assistant(value + " " + u[0] + " is " + r.get("value").asText() + " " + u[1] + "."));
            }
        } else {
            if (rnd.nextBoolean()) {
                String country = Conversations.pickKey(rnd, Facts.CAPITALS);
                key = "chat:capital:" + country + "|agent:capital-weather:" + country;
                m.add(Message.user("What's the weather like in the capital of " + country + "?"));
                String capital = call(m, "lookup_capital", args("country", country)).get("capital").asText();
                JsonNode w = call(m, "get_weather", args("city", capital));
                m.add(Message.assistant("The capital of " + country + " is " + capital + ". It is " + w.get("temperature").asText()
                        + " degrees celsius and " + w.get("condition").asText() + " there."));
            } else {
                List<String> cities = new ArrayList<>(Facts.CAPITALS.values());
                String c1 = Pick.one(rnd, cities), c2 = Pick.one(rnd, cities);
                while (c2.equals(c1)) c2 = Pick.one(rnd, cities);
                key = "agent:warmer:" + c1 + ":" + c2;
                m.add(Message.user("Is it warmer in " + c1 + " or in " + c2 + " right now?"));
                int t1 = call(m, "get_weather", args("city", c1)).get("temperature").asInt();
                int t2 = call(m, "get_weather", args("city", c2)).get("temperature").asInt();
                String verdict = t1 == t2 ? "Both are equally warm." : "It is warmer in " + (t1 > t2 ? c1 : c2) + ".";
                m.add(Message.assistant(c1 + " is " + t1 + " degrees celsius and " + c2 + " is " + t2 + " degrees celsius. " + verdict));
            }
        }
        // The answer names the tool the first call must use: what RL's tool_call verifier checks, as evaluation does.
        String firstTool = ToolCall.firstName(m.stream().filter(x -> x.role().equals("assistant")).findFirst().orElseThrow().content());
        return new BuiltinRecord(null, key, "agent", difficulty, m, m.stream()
                .filter(x -> x.role().equals("user")).findFirst().orElseThrow().content(), firstTool, null, null, null);
    }

    /** Appends the assistant's call and the tool's reply; returns the reply as JSON. */
    private static JsonNode call(List<Message> m, String tool, ObjectNode arguments) {
        ToolCall c = new ToolCall(tool, arguments);
        String result = TOOLS.run(c);
        m.add(Message.assistant(c.render()));
        m.add(new Message("tool", result));
        try {
            JsonNode r = JSON.readTree(result);
            if (r.has("error")) throw new IllegalStateException("generated a bad call " + c.render() + ": " + result);
            return r;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode args(String... kv) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        for (int i = 0; i < kv.length; i += 2) o.put(kv[i], kv[i + 1]);
        return o;
    }
}
